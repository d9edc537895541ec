import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ev, techniquesOf } from './test-helpers.js';
import { newHostState } from './types.js';
import { unusualParentDetector as d, unusualParentDetectorWith } from './unusual-parent.js';

const CMD = 'C:\\Windows\\System32\\cmd.exe';

test('shells under servers, services and WMI are T0807 high', () => {
  for (const parent of [
    'C:\\Program Files\\Microsoft SQL Server\\MSSQL12.RADAR\\MSSQL\\Binn\\sqlservr.exe',
    'C:\\Windows\\System32\\inetsrv\\w3wp.exe',
    'C:\\Windows\\System32\\services.exe',
    'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe',
    'C:\\Program Files\\Java\\jre\\bin\\java.exe',
    'C:\\Program Files\\Siemens\\WinCC\\bin\\PdlRt.exe',
  ]) {
    const f = d.detect(ev({ exe: CMD, cmd: 'cmd.exe /c whoami', parent }));
    assert.equal(f[0]?.technique, 'T0807', parent);
    assert.equal(f[0]?.severity, 'high');
  }
  assert.deepEqual(techniquesOf(d, ev({ exe: '/bin/sh', args: ['sh', '-c', 'id'], parent: '/usr/sbin/apache2' })), ['T0807']);
});

test('shells under explorer, other shells or unknown parents are not reported', () => {
  assert.deepEqual(techniquesOf(d, ev({ exe: CMD, cmd: 'cmd.exe', parent: 'C:\\Windows\\explorer.exe' })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: CMD, cmd: 'cmd.exe /c x', parent: CMD })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: CMD, cmd: 'cmd.exe /c x' })), []);
  // Not a shell: a service starting a normal program.
  assert.deepEqual(
    techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\svchost.exe', parent: 'C:\\Windows\\System32\\services.exe' })),
    [],
  );
});

test('site HMI names extend the list; host state supplies a missing parent name', () => {
  const custom = unusualParentDetectorWith(['MyHmi.exe']);
  assert.deepEqual(techniquesOf(custom, ev({ exe: CMD, cmd: 'cmd /c x', parent: 'D:\\Vendor\\MyHmi.exe' })), ['T0807']);
  assert.deepEqual(techniquesOf(d, ev({ exe: CMD, cmd: 'cmd /c x', parent: 'D:\\Vendor\\MyHmi.exe' })), []);
  const state = newHostState();
  state.processes.set('4242', { executable: 'C:\\Windows\\System32\\spoolsv.exe' });
  assert.deepEqual(techniquesOf(d, ev({ exe: CMD, cmd: 'cmd.exe', parentPid: 4242 }), state), ['T0807']);
  assert.deepEqual(techniquesOf(d, ev({ exe: CMD, cmd: 'cmd.exe', parentPid: 4242 })), []);
});
