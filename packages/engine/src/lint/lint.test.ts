import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCatalogue } from '@execguard/knowledge';
import { assertPolicy, type Policy } from '@execguard/schema';
import { lintPolicy } from '../index.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const MS_SIGNER = {
  subject: 'CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US',
  product: 'Microsoft® Windows® Operating System',
};
const H = 'a'.repeat(64);

function lint(extra: Partial<Policy>) {
  const policy = assertPolicy({
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'weak', version: 1 },
    defaults: { mode: 'enforce', failMode: 'open' },
    rules: [],
    ...extra,
  });
  return lintPolicy({ policy, catalogue: defaultCatalogue, now: NOW });
}
const ids = (findings: ReturnType<typeof lint>) => findings.map((f) => f.id);

test('a clean enforced hash policy has no findings', () => {
  assert.deepEqual(lint({ rules: [{ id: 'a', action: 'allow', match: { program: { sha256: [H] } } }] }), []);
});

test('EG-L001: allowed path in a user-writable location, with the location named', () => {
  const f = lint({ rules: [{ id: 'tmp-tools', action: 'allow', match: { program: { path: ['/tmp/tools/*'] } } }] });
  const hit = f.find((x) => x.id === 'EG-L001');
  assert.ok(hit, ids(f).join());
  assert.deepEqual(hit.techniques, ['T0863']);
  assert.equal(hit.location?.path, '/rules/0/match/program/path/0');
  assert.ok(
    lint({ rules: [{ id: 'dl', action: 'allow', match: { program: { path: ['C:\\Users\\*\\Downloads\\*.exe'] } } }] }).some(
      (x) => x.id === 'EG-L001',
    ),
  );
});

test('EG-L002 / EG-L014: over-broad and allow-all path rules', () => {
  assert.ok(
    ids(lint({ rules: [{ id: 'opt', action: 'allow', match: { program: { path: ['/opt/**'] } } }] })).includes('EG-L002'),
  );
  assert.ok(ids(lint({ rules: [{ id: 'all', action: 'allow', match: { program: { path: ['/*/**'] } } }] })).includes('EG-L014'));
  assert.ok(
    !ids(lint({ rules: [{ id: 'ok', action: 'allow', match: { program: { path: ['/opt/vendor/bin/*'] } } }] })).includes(
      'EG-L002',
    ),
  );
});

test('EG-L003 / EG-L004: publisher rules without version, and whole OS publishers covering proxies', () => {
  const f = ids(lint({ rules: [{ id: 'win', action: 'allow', match: { program: { signer: MS_SIGNER } } }] }));
  assert.ok(f.includes('EG-L003'));
  assert.ok(f.includes('EG-L004'));
  const guarded = ids(
    lint({
      rules: [
        { id: 'proxies', action: 'deny', match: { proxyUse: true } },
        { id: 'win', action: 'allow', match: { program: { signer: { ...MS_SIGNER, minVersion: '10.0' } } } },
      ],
    }),
  );
  assert.ok(!guarded.includes('EG-L004') && !guarded.includes('EG-L003'), guarded.join());
});

test('EG-L005: a proxy binary allowed with no argument rules', () => {
  const rule = {
    id: 'rundll',
    action: 'allow' as const,
    match: { program: { signer: { ...MS_SIGNER, minVersion: '10.0', originalFileName: 'RUNDLL32.EXE' } } },
  };
  assert.ok(ids(lint({ rules: [rule] })).includes('EG-L005'));
  const withArgs = [
    { id: 'rundll-js', action: 'deny' as const, match: { program: { name: ['rundll32.exe'] }, proxyUse: true } },
    rule,
  ];
  assert.ok(!ids(lint({ rules: withArgs })).includes('EG-L005'));
});

test('EG-L006 / EG-L007: inline code without a pattern, scripts on stdin', () => {
  const f = ids(
    lint({
      rules: [
        { id: 'py', action: 'allow', match: { program: { sha256: [H] }, inlineCode: true } },
        { id: 'sh', action: 'allow', match: { program: { sha256: [H] }, stdinScript: true } },
      ],
    }),
  );
  assert.ok(f.includes('EG-L006') && f.includes('EG-L007'), f.join());
  const pinned = lint({
    rules: [
      { id: 'py', action: 'allow', match: { program: { sha256: [H] }, inlineCode: true, args: { all: ['^-c print\\(1\\)$'] } } },
    ],
  });
  assert.ok(!ids(pinned).includes('EG-L006'));
});

test('EG-L009: deny by file name alone is defeated by renaming', () => {
  assert.ok(ids(lint({ rules: [{ id: 'nc', action: 'deny', match: { program: { name: ['nc'] } } }] })).includes('EG-L009'));
});

test('EG-L011 / EG-L012: audit without an end, and audit past its end', () => {
  assert.ok(ids(lint({ defaults: { mode: 'audit', failMode: 'open' } })).includes('EG-L011'));
  const past = lint({
    defaults: { mode: 'enforce', failMode: 'open' },
    scopes: [{ id: 'l2', selector: { roles: ['hmi'] }, mode: 'audit', auditUntil: '2026-11-01T00:00:00Z' }],
  });
  const hit = past.find((x) => x.id === 'EG-L012');
  assert.ok(hit);
  assert.equal(hit.severity, 'high');
  assert.equal(hit.techniques.length, 7);
  assert.ok(
    !ids(lint({ defaults: { mode: 'audit', failMode: 'open', auditUntil: '2027-01-01T00:00:00Z' } })).includes('EG-L011'),
  );
});

test('EG-L013 / EG-L015 / EG-L016: expired, long and role-wide exceptions', () => {
  const x = { match: { program: { sha256: [H] } }, requester: 'a', approver: 'b', ticket: 'T-1', reason: 'r' };
  const f = ids(
    lint({
      exceptions: [
        { id: 'old', scope: { hosts: ['h1'] }, expires: '2026-11-01T00:00:00Z', ...x },
        { id: 'long', scope: { hosts: ['h1'] }, expires: '2027-12-01T00:00:00Z', ...x },
        { id: 'wide', scope: { roles: ['hmi'] }, expires: '2026-12-10T00:00:00Z', ...x },
      ],
    }),
  );
  for (const id of ['EG-L013', 'EG-L015', 'EG-L016']) assert.ok(f.includes(id), `${id} in ${f.join()}`);
});

test('EG-L017 / EG-L018: open-ended and fleet-wide maintenance windows', () => {
  const f = ids(
    lint({
      maintenanceWindows: [
        {
          id: 'mw',
          ticket: 'CHG-1',
          scope: { roles: ['hmi'] },
          start: '2026-11-30T00:00:00Z',
          end: '2026-12-30T00:00:00Z',
          relax: { defaultDeny: true },
        },
      ],
    }),
  );
  assert.ok(f.includes('EG-L017') && f.includes('EG-L018'), f.join());
});

test('EG-L010: HTA, CHM, CPL and installers on a Windows policy', () => {
  const f = lint({
    rules: [
      {
        id: 'win',
        action: 'allow',
        match: { program: { signer: { ...MS_SIGNER, minVersion: '10.0', originalFileName: 'notepad.exe' } } },
      },
    ],
  });
  const hosts = f.filter((x) => x.id === 'EG-L010').map((x) => x.evidence.binary);
  assert.deepEqual(hosts.sort(), ['control.exe', 'hh.exe', 'mshta.exe', 'msiexec.exe']);
});

test('findings come most severe first', () => {
  const f = lint({
    defaults: { mode: 'audit', failMode: 'open' },
    rules: [{ id: 'all', action: 'allow', match: { program: { path: ['/*/**'] } } }],
  });
  assert.equal(f[0]?.severity, 'critical');
});
