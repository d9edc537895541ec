import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detect, detectors, groupFindings, newHostState, tagEvent } from './index.js';
import { ev } from './test-helpers.js';

test('tagEvent sets parallel id/name/reason arrays with ICS names', () => {
  const e = ev({
    exe: 'C:\\Users\\op\\Downloads\\svchost.exe',
    cmd: 'svchost.exe',
    parent: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  });
  const t = tagEvent(e).threat?.technique;
  assert.deepEqual(t?.id, ['T0849', 'T0863']);
  assert.deepEqual(t?.name, ['Masquerading', 'User Execution']);
  assert.equal(t?.reason?.length, 2);
  assert.match(t?.reason?.[0] ?? '', /^masquerade: system binary name/);
  assert.match(t?.reason?.[1] ?? '', /^user-execution: program started from a user-writable location \(download\)/);
  assert.equal(e.threat, undefined, 'input not modified');
});

test('tagEvent keeps techniques already on the event and extends their reasons', () => {
  const e = {
    ...ev({ exe: 'C:\\Users\\op\\Downloads\\a.exe' }),
    threat: { technique: { id: ['T0863'], name: ['User Execution'], reason: ['engine: rule x'] } },
  };
  const t = tagEvent(e).threat?.technique;
  assert.deepEqual(t?.id, ['T0863']);
  assert.match(t?.reason?.[0] ?? '', /^engine: rule x; user-execution: /);
});

test('an event without findings is returned unchanged', () => {
  const e = ev({ exe: 'C:\\Windows\\System32\\notepad.exe', cmd: 'notepad.exe C:\\a.txt' });
  assert.equal(tagEvent(e), e);
  assert.deepEqual(detect(e), []);
});

test('detect with host state remembers processes for later children', () => {
  const state = newHostState(2);
  detect(ev({ exe: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', pid: 100 }), state);
  const f = detect(ev({ exe: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c whoami', parentPid: 100 }), state);
  assert.deepEqual([...groupFindings(f).keys()], ['T0807', 'T0871']);
  detect(ev({ exe: 'C:\\a.exe', pid: 1 }), state);
  detect(ev({ exe: 'C:\\b.exe', pid: 2 }), state);
  assert.equal(state.processes.size, 2, 'bounded');
  assert.equal(state.processes.has('100'), false);
});

test('every detector has an id, techniques and is listed once', () => {
  const ids = detectors.map((d) => d.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const d of detectors) assert.ok(d.techniques.length > 0 && d.techniques.every((t) => /^T0\d{3}$/.test(t)));
});
