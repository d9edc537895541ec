import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCatalogue } from '@execguard/knowledge';
import { type ExecEvent, validatePolicy } from '@execguard/schema';
import { checkExpectation, compile, decide, initPolicy, lintPolicy } from '../index.js';
import type { InitEntry } from './types.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const h = (c: string) => c.repeat(64);
const SIGNER = { subject: 'CN=Vendor AG, O=Vendor AG, C=DE', product: 'WinCC' };

const ENTRIES: InitEntry[] = [
  {
    path: '/usr/bin/ls',
    sha256: h('1'),
    type: 'elf-executable',
    package: { manager: 'dpkg', names: ['coreutils'], verified: true },
  },
  {
    path: '/usr/bin/cat',
    sha256: h('2'),
    type: 'elf-executable',
    package: { manager: 'dpkg', names: ['coreutils'], verified: true },
  },
  {
    path: '/usr/bin/perl',
    sha256: h('3'),
    type: 'elf-executable',
    package: { manager: 'dpkg', names: ['perl-base'], verified: true },
  },
  {
    path: '/usr/bin/tampered',
    sha256: h('4'),
    type: 'elf-executable',
    package: { manager: 'dpkg', names: ['evil'], verified: false },
  },
  { path: '/opt/vendor/bin/hmi', sha256: h('5'), type: 'elf-executable' },
  { path: '/opt/vendor/bin/hmi-helper', sha256: h('6'), type: 'elf-executable', writableBy: ['user:ops'] },
  { path: '/opt/other/agent', sha256: h('7'), type: 'elf-executable' },
  {
    path: 'C:/Vendor/a.exe',
    sha256: h('8'),
    type: 'pe',
    signer: { ...SIGNER, originalFileName: 'a.exe', fileVersion: '7.5.2 (x)' },
  },
  {
    path: 'C:/Vendor/a-old.exe',
    sha256: h('9'),
    type: 'pe',
    signer: { ...SIGNER, originalFileName: 'a.exe', fileVersion: '7.4.10' },
  },
  { path: '/opt/vendor/jobs/rotate.pl', sha256: h('a'), type: 'script', interpreter: '/usr/bin/perl' },
  { path: '/opt/vendor/jobs/user.pl', sha256: h('b'), type: 'script', interpreter: '/usr/bin/perl', writableBy: ['group:ops'] },
  { path: '/usr/lib/libc.so.6', sha256: h('c'), type: 'elf-library' },
  // A copy of the modified package file: allowing its hash would allow the modified file too.
  { path: '/opt/copy/tampered', sha256: h('4'), type: 'elf-executable' },
];

const run = (scriptPaths = false) =>
  initPolicy({ entries: ENTRIES, source: 'b.json', role: 'hmi' }, { now: NOW, catalogue: defaultCatalogue, scriptPaths });

test('policy init: strongest identity per file, grouped, modified package files left out', () => {
  const { policy, notes } = run();
  const rule = (id: string) => policy.rules.find((r) => r.id === id);
  assert.deepEqual(rule('allow-packages-dpkg')?.match.program, {
    package: { manager: 'dpkg', names: ['coreutils', 'perl-base'] },
  });
  // One signer rule with the oldest version seen (7.4.10 < 7.5.2, compared as numbers).
  assert.deepEqual(rule('allow-signer-wincc-a.exe')?.match.program, {
    signer: { ...SIGNER, minVersion: '7.4.10', originalFileName: 'a.exe' },
  });
  // Hashes grouped per directory; writable files are still allowed by hash, never by path.
  assert.deepEqual(rule('allow-sha256-opt-vendor-bin')?.match.program, { sha256: [h('5'), h('6')] });
  assert.deepEqual(rule('allow-sha256-opt-other')?.match.program, { sha256: [h('7')] });
  assert.deepEqual(rule('allow-script-sha256-opt-vendor-jobs')?.match.script, { sha256: [h('a'), h('b')] });
  const all = JSON.stringify(policy.rules);
  assert.ok(!all.includes(h('4')) && !all.includes('evil'), 'a file that differs from dpkg is not allowed');
  assert.ok(!all.includes(h('c')), 'libraries get no rules');
  assert.ok(notes.some((n) => n.includes('/usr/bin/tampered')));
  assert.ok(notes.some((n) => n.includes('/opt/copy/tampered') && n.includes('same content')));
  assert.ok(policy.rules.every((r) => (r.description ?? '').length > 0));
});

test('policy init: audit for 30 days, fail open, non-overridable intent, role denies, no inline allows', () => {
  const { policy } = run();
  assert.equal(policy.defaults.mode, 'audit');
  assert.equal(policy.defaults.failMode, 'open');
  assert.equal(policy.defaults.auditUntil, '2026-12-31T00:00:00.000Z');
  assert.deepEqual(policy.scopes?.[0]?.selector, { roles: ['hmi'] });
  assert.deepEqual(policy.nonOverridable, { loaderInvocation: true, memfdExec: true });
  const denies = policy.rules.filter((r) => r.action === 'deny').map((r) => r.match);
  assert.deepEqual(denies, [{ proxyUse: true }, { masquerade: true }, { userWritableLocation: true }]);
  assert.ok(policy.rules.every((r) => r.match.inlineCode === undefined && r.match.stdinScript === undefined));
});

test('policy init: --script-paths allows admin-only scripts by exact path, writable ones still by hash', () => {
  const { policy } = run(true);
  assert.deepEqual(policy.rules.find((r) => r.id === 'allow-script-path-opt-vendor-jobs')?.match.script, {
    path: ['/opt/vendor/jobs/rotate.pl'],
  });
  assert.deepEqual(policy.rules.find((r) => r.id === 'allow-script-sha256-opt-vendor-jobs')?.match.script, { sha256: [h('b')] });
});

test('policy init: the output validates, has no high lint finding, and its generated tests pass', () => {
  for (const sp of [false, true]) {
    const { policy, findings } = run(sp);
    assert.deepEqual(validatePolicy(policy), []);
    assert.deepEqual(
      findings.filter((f) => f.severity === 'high' || f.severity === 'critical'),
      [],
    );
    const compiled = compile(policy, { catalogue: defaultCatalogue });
    const tests = policy.tests ?? [];
    assert.ok(tests.length >= 4);
    assert.ok(tests.some((t) => t.name.includes('baseline script')));
    for (const t of tests) {
      const d = decide(compiled, t.event as ExecEvent, { now: Date.parse(t.now ?? ''), ...(t.host ? { host: t.host } : {}) });
      assert.deepEqual(checkExpectation(t.expect, d), [], t.name);
    }
  }
});

test('policy init: a generated test fails when the baseline program is no longer allowed', () => {
  const { policy } = run();
  const broken = { ...policy, rules: policy.rules.filter((r) => r.id !== 'allow-packages-dpkg') };
  const compiled = compile(broken, { catalogue: defaultCatalogue });
  const t = policy.tests?.[0];
  assert.ok(t);
  const d = decide(compiled, t.event as ExecEvent, { now: NOW, ...(t.host ? { host: t.host } : {}) });
  assert.notDeepEqual(checkExpectation(t.expect, d), []);
});

test('policy init: linted against the baseline as inventory, no modified file is allowed (no EG-L022)', () => {
  const { policy } = run();
  const inventory = ENTRIES.map((e) => ({
    path: e.path,
    sha256: e.sha256,
    writableBy: { users: [], groups: [], other: false },
    ...(e.package ? { package: e.package } : {}),
  }));
  const ids = lintPolicy({ policy, catalogue: defaultCatalogue, now: NOW, inventory }).map((f) => f.id);
  assert.ok(!ids.includes('EG-L022'), ids.join());
  // The check itself fires once the copy's hash is allowed.
  const weak = {
    ...policy,
    rules: [...policy.rules, { id: 'x', action: 'allow' as const, match: { program: { sha256: [h('4')] } } }],
  };
  assert.ok(lintPolicy({ policy: weak, catalogue: defaultCatalogue, now: NOW, inventory }).some((f) => f.id === 'EG-L022'));
});
