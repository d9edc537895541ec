import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiExecutionDetector as d } from './api-execution.js';
import { ev, techniquesOf } from './test-helpers.js';

const WMI = 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe';
const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';

test('children of WmiPrvSE: shells high, other programs medium, WerFault ignored', () => {
  assert.equal(d.detect(ev({ exe: PS, cmd: 'powershell -c x', parent: WMI }))[0]?.severity, 'high');
  assert.equal(
    d.detect(ev({ exe: 'C:\\Windows\\System32\\net.exe', cmd: 'net user x /add', parent: WMI }))[0]?.severity,
    'medium',
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\WerFault.exe', parent: WMI })), []);
});

test('DCOM: mmc -Embedding, shells under mmc/dllhost; plain COM surrogates not reported', () => {
  assert.deepEqual(
    techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\mmc.exe', cmd: 'C:\\Windows\\system32\\mmc.exe -Embedding' })),
    ['T0871'],
  );
  assert.deepEqual(
    techniquesOf(
      d,
      ev({ exe: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c calc', parent: 'C:\\Windows\\System32\\mmc.exe' }),
    ),
    ['T0871'],
  );
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\System32\\dllhost.exe',
        cmd: 'DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}',
        parent: 'C:\\Windows\\System32\\svchost.exe',
      }),
    ),
    [],
  );
});

test('scheduler: shells under the Schedule service or taskeng; ordinary svchost children are not reported', () => {
  const sched = 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule';
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\System32\\cmd.exe',
        cmd: 'cmd /c x.bat',
        parent: 'C:\\Windows\\System32\\svchost.exe',
        parentCmd: sched,
      }),
    ),
    ['T0871'],
  );
  assert.deepEqual(techniquesOf(d, ev({ exe: PS, cmd: 'powershell -c x', parent: 'C:\\Windows\\System32\\taskeng.exe' })), [
    'T0871',
  ]);
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\System32\\RuntimeBroker.exe',
        cmd: 'RuntimeBroker.exe -Embedding',
        parent: 'C:\\Windows\\System32\\svchost.exe',
        parentCmd: 'svchost.exe -k DcomLaunch -p',
      }),
    ),
    [],
  );
  assert.deepEqual(
    techniquesOf(
      d,
      ev({
        exe: 'C:\\Windows\\System32\\cmd.exe',
        cmd: 'cmd /c x',
        parent: 'C:\\Windows\\System32\\svchost.exe',
        parentCmd: 'svchost.exe -k LocalService -s W32Time',
      }),
    ),
    [],
  );
});

test('WinRM, admin-share output channel and API calls in code', () => {
  assert.deepEqual(
    techniquesOf(d, ev({ exe: 'C:\\Windows\\System32\\whoami.exe', parent: 'C:\\Windows\\System32\\wsmprovhost.exe' })),
    ['T0871'],
  );
  assert.deepEqual(
    techniquesOf(
      d,
      ev({ exe: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1619 2>&1' }),
    ),
    ['T0871'],
  );
  assert.deepEqual(
    techniquesOf(d, ev({ script: '$a=[activator]::CreateInstance([type]::GetTypeFromProgID("MMC20.Application.1","fs01"))' })),
    ['T0871'],
  );
  assert.deepEqual(techniquesOf(d, ev({ script: 'Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList calc.exe' })), [
    'T0871',
  ]);
  assert.deepEqual(techniquesOf(d, ev({ script: 'Get-WmiObject Win32_OperatingSystem | Select Caption' })), []);
});
