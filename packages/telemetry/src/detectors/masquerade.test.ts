import assert from 'node:assert/strict';
import { test } from 'node:test';
import { masqueradeDetector as d } from './masquerade.js';
import { ev, techniquesOf } from './test-helpers.js';

test('renamed system binary (OriginalFileName differs) is high', () => {
  const f = d.detect(ev({ exe: 'C:\\Users\\a\\Downloads\\renamed-netsh.exe', ofn: 'netsh.exe', cmd: 'renamed-netsh.exe' }));
  assert.equal(f[0]?.technique, 'T0849');
  assert.equal(f[0]?.severity, 'high');
});

test('OriginalFileName with a .MUI suffix or different case is not a rename', () => {
  const ps = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
  assert.deepEqual(techniquesOf(d, ev({ exe: ps, ofn: 'PowerShell.EXE.MUI', cmd: 'powershell.exe' })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\cmd.exe', ofn: 'Cmd.Exe', cmd: 'cmd' })), []);
});

test('system binary name outside its directories', () => {
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Users\\p\\Downloads\\svchost.exe', cmd: 'svchost.exe' })), ['T0849']);
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\svchost.exe', cmd: 'svchost.exe -k netsvcs' })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Windows\\SysWOW64\\svchost.exe' })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/tmp/.x/sshd', args: ['sshd'] })), ['T0849']);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/sbin/sshd', args: ['sshd', '-D'] })), []);
});

test('double extensions, in the program or in a file it opens', () => {
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Users\\a\\Downloads\\invoice.pdf.exe' })), ['T0849']);
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Users\\a\\Downloads\\report.docx      .scr' })), ['T0849']);
  assert.deepEqual(
    techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\wscript.exe', cmd: 'wscript.exe C:\\Users\\a\\Downloads\\scan.jpg.vbs' })),
    ['T0849'],
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Program Files\\App\\app.v2.exe' })), []);
  assert.deepEqual(
    techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\notepad.exe', cmd: 'notepad.exe C:\\docs\\a.pdf.txt' })),
    [],
  );
});

test('right-to-left override in the name', () => {
  const f = d.detect(ev({ exe: 'C:\\Users\\a\\Ann\u202Egepj.exe' }));
  assert.ok(f.some((x) => /direction override/.test(x.reason) && x.severity === 'high'));
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Users\\a\\Annexe.exe' })), []);
});
