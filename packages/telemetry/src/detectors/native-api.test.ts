import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeApiDetector as d } from './native-api.js';
import { ev, techniquesOf } from './test-helpers.js';

test('script blocks with Add-Type member definitions, VirtualAlloc, reflection are T0834', () => {
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        script:
          'Add-Type -MemberDefinition \'[DllImport("kernel32.dll")] public static extern IntPtr VirtualAlloc(IntPtr a, uint b, uint c, uint d);\' -Name K -Namespace W',
      }),
    ),
    ['T0834'],
  );
  assert.equal(d.detect(ev({ script: '[DllImport("kernel32")] ... VirtualAlloc ... CreateThread' }))[0]?.severity, 'high');
  assert.deepEqual(techniquesOf(d, ev({ script: '[System.Reflection.Assembly]::Load([Convert]::FromBase64String($b))' })), [
    'T0834',
  ]);
});

test('common benign PowerShell is not T0834', () => {
  assert.deepEqual(techniquesOf(d, ev({ script: 'Add-Type -AssemblyName System.Windows.Forms' })), []);
  assert.deepEqual(
    techniquesOf(d, ev({ script: "[Reflection.Assembly]::LoadWithPartialName('System.Drawing') | Out-Null" })),
    [],
  );
});

test('python ctypes inline; a python script file is not read', () => {
  assert.deepEqual(
    techniquesOf(
      d,
      ev({ exe: '/usr/bin/python3', args: ['python3', '-c', 'import ctypes;ctypes.CDLL(None).syscall(319,"",1)'] }),
    ),
    ['T0834'],
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/python3', args: ['python3', '/opt/app/ctypes_tool.py'] })), []);
});

test('Linux memfd, deleted images and loader invocation', () => {
  assert.deepEqual(techniquesOf(d, ev({ exe: '/memfd:payload (deleted)', args: ['x'] })), ['T0834']);
  assert.match(d.detect(ev({ exe: '/memfd:payload (deleted)', args: ['x'] }))[0]?.reason ?? '', /anonymous memory file/);
  assert.equal(d.detect(ev({ exe: '/memfd:x', args: ['x'] }))[0]?.severity, 'high');
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/x', os: 'linux', execguard: { memfd: true } })), ['T0834']);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/tmp/a.out (deleted)', args: ['a.out'] })), ['T0834']);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/lib64/ld-linux-x86-64.so.2', args: ['ld-linux-x86-64.so.2', '/tmp/x'] })), [
    'T0894',
  ]);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/lib/x86_64-linux-gnu/ld-2.31.so', args: ['ld-2.31.so', './x'] })), ['T0894']);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/ldconfig', args: ['ldconfig'] })), []);
  assert.deepEqual(techniquesOf(d, ev({ exe: '/usr/bin/ls', args: ['ls', '-l'] })), []);
});
