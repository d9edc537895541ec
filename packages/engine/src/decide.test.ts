import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecEvent, Policy } from '@execguard/schema';
import { ValidationError } from '@execguard/schema';
import { compile, decide, policyDigest } from './index.js';
import { miniCatalogue } from './testing/mini-catalogue.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const NOW = Date.parse('2026-06-01T00:00:00Z');

function policy(extra: Partial<Policy> = {}): Policy {
  return {
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'unit', version: 3 },
    defaults: { mode: 'enforce', failMode: 'open' },
    scopes: [{ id: 'audit-gw', selector: { roles: ['gateway'] }, mode: 'audit', failMode: 'closed' }],
    rules: [
      { id: 'allow-a', action: 'allow', match: { program: { sha256: [A] } } },
      {
        id: 'deny-a-as-root',
        action: 'deny',
        techniques: ['T0807'],
        match: { program: { sha256: [A] }, user: { names: ['root'] } },
      },
    ],
    ...extra,
  };
}
const ev = (sha: string, more: Partial<ExecEvent['process']> = {}, user?: string): ExecEvent => ({
  host: { id: 'h1' },
  process: { executable: '/usr/local/bin/tool', args: ['tool'], hash: { sha256: sha }, ...more },
  ...(user ? { user: { name: user } } : {}),
});

test('every decision names its deciding rule, mode, scope and policy digest', () => {
  const c = compile(policy(), { catalogue: miniCatalogue });
  const allow = decide(c, ev(A), { now: NOW });
  assert.equal(allow.verdict, 'allow');
  assert.equal(allow.ruleId, 'allow-a');
  assert.equal(allow.decidedBy, 'allow-rule');
  assert.equal(allow.policy.digest, policyDigest(policy()));
  assert.equal(allow.policy.version, 3);
  const deny = decide(c, ev(A, {}, 'root'), { now: NOW });
  assert.deepEqual([deny.verdict, deny.effect, deny.ruleId, deny.techniques], ['deny', 'denied', 'deny-a-as-root', ['T0807']]);
  const unknown = decide(c, ev(B), { now: NOW });
  assert.deepEqual([unknown.ruleId, unknown.decidedBy], ['default-deny', 'default-deny']);
});

test('audit mode reports would-deny, distinct from an enforced deny', () => {
  const c = compile(policy(), { catalogue: miniCatalogue });
  const d = decide(c, ev(B), { now: NOW, host: { id: 'gw1', role: 'gateway' } });
  assert.deepEqual([d.verdict, d.effect, d.mode, d.scopeId, d.failMode], ['deny', 'would-deny', 'audit', 'audit-gw', 'closed']);
});

test('decide is pure: same inputs give equal decisions, explain only adds the trace', () => {
  const c = compile(policy(), { catalogue: miniCatalogue });
  const e = ev(A, { args: ['tool', '-x'] }, 'root');
  const first = decide(c, e, { now: NOW });
  const again = decide(c, structuredClone(e), { now: NOW });
  assert.deepEqual(first, again);
  const explained = decide(c, e, { now: NOW, explain: true });
  const { trace, ...rest } = explained;
  assert.deepEqual(rest, first);
  assert.ok(trace && trace.length > 0);
  assert.ok(trace.some((t) => t.subject === 'deny-a-as-root' && t.outcome === 'matched'));
  assert.ok(trace.some((t) => t.subject === 'allow-a' && t.outcome === 'matched'));
});

test('the digest ignores key order and stored tests', () => {
  const p = policy();
  const reordered = JSON.parse(
    JSON.stringify({
      rules: p.rules,
      kind: p.kind,
      scopes: p.scopes,
      defaults: p.defaults,
      metadata: p.metadata,
      apiVersion: p.apiVersion,
    }),
  );
  assert.equal(policyDigest(reordered), policyDigest(p));
  assert.equal(policyDigest({ ...p, tests: [] }), policyDigest(p));
  assert.notEqual(policyDigest({ ...p, metadata: { ...p.metadata, version: 4 } }), policyDigest(p));
});

test('compile rejects an invalid policy with every problem located', () => {
  const bad = policy({
    rules: [{ id: 'weak', action: 'allow', match: { program: { name: ['hmi.exe'] } } }],
    exceptions: [
      {
        id: 'x1',
        scope: { hosts: ['h1'] },
        match: { program: { sha256: [B] } },
        requester: 'alice',
        approver: 'Alice ',
        ticket: 'CHG-1',
        reason: 'test',
        expires: '2026-01-01T00:00:00Z',
      },
    ],
  });
  assert.throws(
    () => compile(bad, { catalogue: miniCatalogue }),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.issues.some((i) => i.code === 'E_WEAK_IDENTITY' && i.path === '/rules/0/match/program/name') &&
      e.issues.some((i) => i.code === 'E_SAME_APPROVER' && i.path === '/exceptions/0/approver'),
  );
});

test('rule index: path, package and signer rules are found; unverified and non-admin paths never match', () => {
  const p = policy({
    rules: [
      { id: 'allow-path', action: 'allow', match: { program: { path: ['/opt/hmi/bin/*'] } } },
      { id: 'allow-pkg', action: 'allow', match: { program: { package: { manager: 'dpkg', names: ['coreutils'] } } } },
      { id: 'allow-win', action: 'allow', match: { program: { path: ['C:\\Program Files\\Vendor\\**'] } } },
    ],
  });
  const c = compile(p, { catalogue: miniCatalogue });
  const run = (process: ExecEvent['process'], execguard?: ExecEvent['execguard']) =>
    decide(c, { process, ...(execguard ? { execguard } : {}) }, { now: NOW }).ruleId;
  assert.equal(run({ executable: '/opt/hmi/bin/view' }, { process: { path_admin_only: true } }), 'allow-path');
  assert.equal(run({ executable: '/opt/hmi/bin/view' }, { process: { path_admin_only: false } }), 'default-deny');
  assert.equal(
    run({ executable: '/bin/ls' }, { process: { package: { manager: 'dpkg', name: 'coreutils', verified: true } } }),
    'allow-pkg',
  );
  assert.equal(
    run({ executable: '/bin/ls' }, { process: { package: { manager: 'dpkg', name: 'coreutils', verified: false } } }),
    'default-deny',
  );
  assert.equal(
    run({ executable: 'c:\\program files\\VENDOR\\hmi\\run.exe' }, { process: { path_admin_only: true } }),
    'allow-win',
  );
});

test('path facts are remembered per compiled policy, and stay right after the memo starts over', () => {
  const c = compile(policy({ rules: [{ id: 'allow-hmi', action: 'allow', match: { program: { path: ['/opt/hmi/bin/*'] } } }] }), {
    catalogue: miniCatalogue,
  });
  const admin = { process: { path_admin_only: true } };
  const run = (exe: string) => decide(c, { process: { executable: exe }, execguard: admin }, { now: NOW });
  assert.equal(run('/opt/hmi/bin/view').ruleId, 'allow-hmi');
  assert.deepEqual(run('/tmp/sshd').techniques, ['T0849', 'T0863']);
  // More distinct paths than the memo holds: it starts over, and every answer stays the same.
  for (let i = 0; i < 17_000; i++) assert.equal(run(`/srv/x/${i}`).ruleId, 'default-deny');
  assert.equal(run('/opt/hmi/bin/view').ruleId, 'allow-hmi');
  assert.deepEqual(run('/tmp/sshd').techniques, ['T0849', 'T0863']);
});

test('a decision made while another is being made (a getter on the event) changes neither', () => {
  const c = compile(policy(), { catalogue: miniCatalogue });
  const inner = ev(B, {}, 'root');
  let innerDecision: ReturnType<typeof decide> | undefined;
  // `user` is read by the user condition, after the outer call has derived its facts.
  const outer = {
    host: { id: 'h1' },
    process: { executable: '/usr/local/bin/tool', args: ['tool'], hash: { sha256: A } },
    get user() {
      innerDecision = decide(c, inner, { now: NOW, explain: true });
      return { name: 'root' };
    },
  } as ExecEvent;
  const outerDecision = decide(c, outer, { now: NOW, explain: true });
  assert.ok(innerDecision);
  assert.equal(outerDecision.ruleId, 'deny-a-as-root');
  assert.deepEqual(outerDecision, decide(c, { ...ev(A, {}, 'root') }, { now: NOW, explain: true }));
  assert.deepEqual(innerDecision, decide(c, inner, { now: NOW, explain: true }));
  // And the next plain decisions are unaffected.
  assert.equal(decide(c, ev(A), { now: NOW }).ruleId, 'allow-a');
  assert.equal(decide(c, ev(B), { now: NOW }).ruleId, 'default-deny');
});
