import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCatalogue } from '@execguard/knowledge';
import { assertPolicy, type Policy } from '@execguard/schema';
import { lintPolicy } from '../index.js';
import type { InventoryFacts, PostureFacts } from './types.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const ADMIN = { users: [], groups: [], other: false };

function lint(rules: Policy['rules'], inventory: InventoryFacts[], posture: PostureFacts[] = []) {
  const policy = assertPolicy({
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'p', version: 1 },
    defaults: { mode: 'enforce', failMode: 'open' },
    rules,
  });
  return lintPolicy({ policy, catalogue: defaultCatalogue, now: NOW, inventory, posture });
}

const allowPath = (path: string, subject: 'program' | 'script' = 'program'): Policy['rules'] => [
  { id: 'allow-vendor', action: 'allow', match: { [subject]: { path: [path] } } },
];

test('EG-L019: an allowed path whose chain a non-root user can write, with the user and directory named', () => {
  const inv: InventoryFacts[] = [
    {
      path: '/opt/vendor/bin/tool',
      writableBy: { users: ['nobody'], groups: [], other: false, via: '/opt/vendor: user:nobody owns the directory' },
    },
    { path: '/opt/vendor/bin/safe', writableBy: ADMIN },
    { path: '/opt/other/x', writableBy: { users: ['eve'], groups: ['ops'], other: true } },
  ];
  const f = lint(allowPath('/opt/vendor/bin/*'), inv).filter((x) => x.id === 'EG-L019');
  assert.equal(f.length, 1);
  const hit = f[0];
  assert.ok(hit);
  assert.equal(hit.severity, 'high');
  assert.deepEqual(hit.techniques, ['T0863', 'T0849']);
  assert.match(hit.message, /user nobody/);
  assert.match(hit.message, /via \/opt\/vendor: user:nobody owns the directory/);
  assert.deepEqual(hit.evidence.files, ['/opt/vendor/bin/tool']);
  assert.deepEqual(hit.evidence.users, ['nobody']);
  assert.equal(hit.location?.path, '/rules/0/match/program/path/0');
  // Script path rules too; groups and every-account writers are named.
  const s = lint(allowPath('/opt/other/*', 'script'), inv).find((x) => x.id === 'EG-L019');
  assert.match(s?.message ?? '', /user eve; group ops; every local account/);
  // Administrator-only files, deny rules and no inventory: no finding.
  assert.ok(!lint(allowPath('/opt/vendor/bin/safe'), inv).some((x) => x.id === 'EG-L019'));
  assert.ok(
    !lint([{ id: 'd', action: 'deny', match: { program: { path: ['/opt/vendor/bin/*'] } } }], inv).some(
      (x) => x.id === 'EG-L019',
    ),
  );
  assert.ok(!lint(allowPath('/opt/vendor/bin/*'), []).some((x) => x.id === 'EG-L019'));
});

test('EG-L022: a hash or path allow covering a file that differs from its package record', () => {
  const H = 'b'.repeat(64);
  const inv: InventoryFacts[] = [
    { path: '/usr/bin/ls', sha256: H, writableBy: ADMIN, package: { manager: 'dpkg', names: ['coreutils'], verified: false } },
    {
      path: '/usr/bin/cat',
      sha256: 'c'.repeat(64),
      writableBy: ADMIN,
      package: { manager: 'dpkg', names: ['coreutils'], verified: true },
    },
  ];
  const byHash = lint([{ id: 'h', action: 'allow', match: { program: { sha256: [H.toUpperCase()] } } }], inv).find(
    (x) => x.id === 'EG-L022',
  );
  assert.ok(byHash);
  assert.equal(byHash.severity, 'high');
  assert.deepEqual(byHash.techniques, ['T0849']);
  assert.deepEqual(byHash.evidence.packages, ['coreutils']);
  assert.ok(lint(allowPath('/usr/bin/l?'), inv).some((x) => x.id === 'EG-L022'));
  // Verified files and package rules (which never match a modified file) are not findings.
  assert.ok(!lint(allowPath('/usr/bin/cat'), inv).some((x) => x.id === 'EG-L022'));
  assert.ok(
    !lint([{ id: 'p', action: 'allow', match: { program: { package: { manager: 'dpkg', names: ['coreutils'] } } } }], inv).some(
      (x) => x.id === 'EG-L022',
    ),
  );
});

test('EG-L020 / EG-L021 / EG-L023: host posture — exec-able temp dirs, memfd_noexec 0, loaders', () => {
  const posture: PostureFacts = {
    host: 'hmi-01',
    tmpDirs: [
      { path: '/tmp', exists: true, worldWritable: true, noexec: false },
      { path: '/dev/shm', exists: true, worldWritable: true, noexec: true },
      { path: '/var/tmp', exists: false },
    ],
    memfdNoexec: 0,
    loaders: ['/lib64/ld-linux-x86-64.so.2'],
  };
  const f = lint([], [], [posture]);
  const l20 = f.filter((x) => x.id === 'EG-L020');
  assert.deepEqual(
    l20.map((x) => x.evidence.path),
    ['/tmp'],
  );
  assert.equal(l20[0]?.severity, 'high', 'no userWritableLocation deny: high');
  const covered = lint([{ id: 'd', action: 'deny', match: { userWritableLocation: true } }], [], [posture]);
  assert.equal(covered.find((x) => x.id === 'EG-L020')?.severity, 'medium');
  const l21 = f.find((x) => x.id === 'EG-L021');
  assert.deepEqual(l21?.techniques, ['T0834']);
  assert.match(l21?.message ?? '', /non-overridable memfd deny/);
  assert.equal(f.find((x) => x.id === 'EG-L023')?.severity, 'info');
  const hardened = lint([], [], [{ ...posture, tmpDirs: [], memfdNoexec: 2, loaders: [] }]);
  assert.deepEqual(
    hardened.filter((x) => ['EG-L020', 'EG-L021', 'EG-L023'].includes(x.id)),
    [],
  );
});

test('EG-L024: an allowed statically linked interpreter or proxy binary (its arguments are never seen)', () => {
  const H = 'c'.repeat(64);
  const inv: InventoryFacts[] = [
    {
      path: '/usr/bin/busybox',
      sha256: H,
      staticElf: true,
      writableBy: ADMIN,
      package: { manager: 'dpkg', names: ['busybox-static'], verified: true },
    },
    { path: '/usr/bin/find', sha256: 'd'.repeat(64), writableBy: ADMIN },
    { path: '/usr/sbin/ldconfig', sha256: 'e'.repeat(64), staticElf: true, writableBy: ADMIN },
  ];
  for (const match of [
    { program: { sha256: [H] } },
    { program: { path: ['/usr/bin/*'] } },
    { program: { package: { manager: 'dpkg' as const } } },
  ]) {
    const f = lint([{ id: 'allow-sys', action: 'allow', match }], inv).filter((x) => x.id === 'EG-L024');
    assert.equal(f.length, 1, JSON.stringify(match));
    assert.equal(f[0]?.severity, 'high');
    assert.deepEqual(f[0]?.evidence.files, ['/usr/bin/busybox']);
    assert.match(f[0]?.message ?? '', /statically linked proxy binary \(\/usr\/bin\/busybox\)/);
    assert.deepEqual(f[0]?.techniques, ['T0894']);
    assert.equal(f[0]?.location?.path, '/rules/0/match/program');
  }
  // A static interpreter opens inline code and scripts too.
  const py: InventoryFacts = { path: '/opt/py/bin/python3', sha256: 'f'.repeat(64), staticElf: true, writableBy: ADMIN };
  const p = lint([{ id: 'allow-py', action: 'allow', match: { program: { sha256: ['f'.repeat(64)] } } }], [py]).find(
    (x) => x.id === 'EG-L024',
  );
  assert.deepEqual(p?.techniques, ['T0807', 'T0853', 'T0894']);
  assert.match(p?.message ?? '', /statically linked interpreter or proxy binary \(\/opt\/py\/bin\/python3\)/);
  // Dynamically linked interpreters, static non-interpreters, other packages and deny rules: nothing.
  const quiet = (rules: Policy['rules'], files = inv) => !lint(rules, files).some((x) => x.id === 'EG-L024');
  assert.ok(quiet([{ id: 'a', action: 'allow', match: { program: { path: ['/usr/bin/find', '/usr/sbin/*'] } } }]));
  assert.ok(quiet([{ id: 'a', action: 'allow', match: { program: { package: { manager: 'dpkg', names: ['coreutils'] } } } }]));
  assert.ok(quiet([{ id: 'd', action: 'deny', match: { program: { sha256: [H] } } }]));
  assert.ok(quiet([{ id: 'a', action: 'allow', match: { program: { sha256: [H] } } }], inv.slice(1)));
});
