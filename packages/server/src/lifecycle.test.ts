import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parsePublicKey, verifyAuditExport, verifyBundle } from '@execguard/trust';
import { DAY, execEvent, type Harness, harness, T0 } from './testing.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const policy = (rules: unknown[] = [{ id: 'allow-a', action: 'allow', match: { program: { sha256: [A] } } }]) => ({
  apiVersion: 'execguard.io/v1',
  kind: 'Policy',
  metadata: { name: 'plant', version: 1 },
  defaults: { mode: 'audit', failMode: 'open' },
  rules,
});
const run = (id: string, sha: string, effect: 'allowed' | 'would-deny', at = T0 + 3_600_000) =>
  execEvent(id, 'host-a', {
    '@timestamp': new Date(at).toISOString(),
    process: { executable: `/opt/app/${sha.slice(0, 4)}`, name: sha.slice(0, 4), hash: { sha256: sha } },
    execguard: {
      decision: {
        verdict: effect === 'allowed' ? 'allow' : 'deny',
        effect,
        ruleId: effect === 'allowed' ? 'allow-a' : 'default-deny',
      },
    },
  });

describe('policy lifecycle: versions, signed bundles, review, replay, promotion, audit', () => {
  let h: Harness;
  let publicKey: string;
  before(async () => {
    h = await harness();
    publicKey = (await h.call('GET', '/v1/signing-key', h.tokens.viewer)).json().publicKey;
  });
  after(async () => h.close());

  test('versions: JSON or YAML in, validated (422 with the location), numbered by the server; diff and lint', async () => {
    const v1 = await h.call('POST', '/v1/policies', h.tokens.analyst, { document: policy(), comment: 'first' });
    assert.equal(v1.statusCode, 201, v1.body);
    assert.equal(v1.json().version, 1);
    const yaml =
      'apiVersion: execguard.io/v1\nkind: Policy\nmetadata: {name: plant, version: 99}\ndefaults: {mode: audit, failMode: open}\nrules:\n  - {id: allow-a, action: allow, match: {program: {sha256: ["' +
      A +
      '"]}}}\n  - {id: tmp, action: allow, match: {program: {path: ["/tmp/*"]}}}\n';
    const v2 = await h.call('POST', '/v1/policies', h.tokens.analyst, { text: yaml });
    assert.equal(v2.json().version, 2, 'the server numbers versions');
    const bad = await h.call('POST', '/v1/policies', h.tokens.analyst, {
      document: { ...policy(), rules: [{ id: 'x', action: 'allow', match: { program: { name: ['cmd.exe'] } } }] },
    });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.json().field, /^body\/document\/rules\/0/);
    const badYaml = await h.call('POST', '/v1/policies', h.tokens.analyst, { text: 'rules: [' });
    assert.equal(badYaml.statusCode, 422);
    assert.equal((await h.call('POST', '/v1/policies', h.tokens.analyst, {})).statusCode, 400);
    const d = (await h.call('GET', '/v1/policies/plant/diff?from=1&to=2', h.tokens.viewer)).json();
    assert.deepEqual(
      d.changes.map((c: { op: string; path: string }) => `${c.op} ${c.path}`),
      ['replace /metadata/version', 'add /rules/tmp'],
    );
    const lint = (await h.call('GET', '/v1/policies/plant/versions/2/lint', h.tokens.viewer)).json();
    assert.ok(
      lint.findings.some((f: { id: string }) => f.id === 'EG-L001'),
      'allowed path in /tmp is a finding',
    );
    assert.equal((await h.call('GET', '/v1/policies/plant/versions/9', h.tokens.viewer)).statusCode, 404);
  });

  test('publish signs a bundle the agent verifies with packages/trust; group modes are scopes, the host its labels', async () => {
    const g = await h.call('PUT', '/v1/groups/hmi', h.tokens.admin, { mode: 'audit' });
    assert.equal(Date.parse(g.json().auditUntil), T0 + 30 * DAY);
    assert.equal(
      (await h.call('PUT', '/v1/groups/hmi2', h.tokens.admin, { mode: 'enforce' })).statusCode,
      400,
      'enforce only through promotion',
    );
    await h.enrol('host-a', { group: 'hmi', role: 'hmi', labels: { line: '1' } });
    assert.equal((await h.call('GET', '/v1/hosts/host-a/bundle', h.agents['host-a']!)).statusCode, 404, 'nothing published yet');
    const p = await h.call('POST', '/v1/policies/plant/versions/1/publish', h.tokens.admin);
    assert.equal(p.statusCode, 200, p.body);
    assert.equal(p.json().sequence, 1);
    const b = (await h.call('GET', '/v1/hosts/host-a/bundle', h.agents['host-a']!)).json();
    const key = parsePublicKey(publicKey);
    const v = verifyBundle(b.bundle, { trustedKeys: [key], now: T0, host: b.host });
    assert.equal(v.sequence, 1);
    assert.equal(v.version, 1);
    assert.deepEqual(v.policy.scopes?.[0]?.selector, { hosts: ['host-a'] }, 'group members by id, inside the signature');
    assert.equal(v.policy.scopes?.[0]?.mode, 'audit');
    assert.deepEqual(b.host.labels, { line: '1', 'execguard.group': 'hmi' });
    // A change to what the bundle holds re-signs it under a higher sequence.
    await h.call('POST', '/v1/hosts/host-a/heartbeat', h.agents['host-a']!, { policyVersion: 1, bundleSequence: 1 });
    assert.equal((await h.call('GET', '/v1/hosts/host-a', h.tokens.viewer)).json().bundleSequenceApplied, 1);
  });

  test('review → approve into a policy change; replay shows what a candidate would newly deny', async () => {
    const up = await h.call('POST', '/v1/events', h.agents['host-a']!, {
      events: [run('r1', A, 'allowed'), run('r2', B, 'would-deny'), run('r3', B, 'would-deny')],
    });
    assert.equal(up.statusCode, 200, up.body);
    const q = (await h.call('GET', '/v1/review?state=new', h.tokens.viewer)).json();
    assert.deepEqual(
      q.groups.map((g: { identity: string; count: number }) => [g.identity, g.count]),
      [[B, 2]],
    );
    // Promotion is refused with every gate that fails.
    const early = await h.call('POST', '/v1/groups/hmi/promote', h.tokens.admin);
    assert.equal(early.statusCode, 409);
    assert.deepEqual(
      early.json().gates.map((x: { gate: string; passed: boolean }) => [x.gate, x.passed]),
      [
        ['audit-period', false],
        ['no-undecided-would-deny', false],
        ['clean-replay', false],
      ],
    );
    assert.equal(early.json().blocking[0].identity, B);
    const ap = await h.call('POST', '/v1/review/approve', h.tokens.analyst, {
      identity: B,
      policy: 'plant',
      note: 'vendor tool',
    });
    assert.equal(ap.statusCode, 201, ap.body);
    assert.equal(ap.json().version, 3);
    assert.equal((await h.call('GET', '/v1/review?state=new', h.tokens.viewer)).json().groups.length, 0);
    // Replay: v3 denies nothing newly; a policy without rules newly denies A on host-a.
    const clean = (await h.call('POST', '/v1/replay', h.tokens.analyst, { policy: { name: 'plant', version: 3 } })).json();
    assert.equal(clean.scanned, 3);
    assert.deepEqual(clean.newlyDenied, []);
    assert.equal(clean.newlyAllowed, 2, 'the two would-denies of B');
    const strict = (await h.call('POST', '/v1/replay', h.tokens.analyst, { document: policy([]), group: 'hmi' })).json();
    assert.deepEqual(
      strict.newlyDenied.map((x: { hostId: string; identity: string; count: number }) => [x.hostId, x.identity, x.count]),
      [['host-a', A, 1]],
    );
    assert.equal((await h.call('POST', '/v1/replay', h.tokens.analyst, { document: { bad: true } })).statusCode, 400);
  });

  test('promotion to enforce once the audit period is over, nothing is undecided and the replay is clean', async () => {
    await h.call('POST', '/v1/policies/plant/versions/3/publish', h.tokens.admin);
    h.clock.now = T0 + 29 * DAY;
    const r1 = await h.call('POST', '/v1/groups/hmi/promote', h.tokens.admin);
    assert.equal(r1.statusCode, 409);
    assert.deepEqual(
      r1
        .json()
        .gates.filter((x: { passed: boolean }) => !x.passed)
        .map((x: { gate: string }) => x.gate),
      ['audit-period'],
    );
    h.clock.now = T0 + 31 * DAY;
    const r2 = await h.call('POST', '/v1/groups/hmi/promote', h.tokens.admin);
    assert.equal(r2.statusCode, 200, r2.body);
    const b = (await h.call('GET', '/v1/hosts/host-a/bundle', h.agents['host-a']!)).json();
    const v = verifyBundle(b.bundle, { trustedKeys: [parsePublicKey(publicKey)], now: h.clock.now, minSequence: 3 });
    assert.equal(v.policy.scopes?.[0]?.mode, 'enforce');
    assert.equal(v.version, 3);
    assert.equal((await h.call('POST', '/v1/groups/hmi/promote', h.tokens.admin)).statusCode, 409, 'already enforcing');
    h.clock.now = T0;
  });

  test('maintenance windows are validated against the published policy and go into the bundle', async () => {
    const w = {
      ticket: 'CHG-9',
      scope: { roles: ['hmi'] },
      start: new Date(T0).toISOString(),
      end: new Date(T0 + DAY).toISOString(),
      relax: { rules: ['no-such-rule'] },
    };
    const bad = await h.call('POST', '/v1/windows', h.tokens.approver, w);
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json().field, /^body\/relax/);
    assert.equal(
      (await h.call('POST', '/v1/windows', h.tokens.approver, { ...w, end: w.start, relax: { defaultDeny: true } })).statusCode,
      400,
    );
    const ok = await h.call('POST', '/v1/windows', h.tokens.approver, { ...w, relax: { defaultDeny: true } });
    assert.equal(ok.statusCode, 201, ok.body);
    const b = (await h.call('GET', '/v1/hosts/host-a/bundle', h.agents['host-a']!)).json();
    const v = verifyBundle(b.bundle, { trustedKeys: [parsePublicKey(publicKey)], now: T0 });
    assert.deepEqual(
      v.policy.maintenanceWindows?.map((x) => x.id),
      [ok.json().id],
    );
    // What ran only because the window relaxed the policy goes to review, marked as first seen in the window.
    const C = 'c'.repeat(64);
    const during = execEvent('w1', 'host-a', {
      '@timestamp': new Date(T0 + 3_600_000).toISOString(),
      process: { executable: '/opt/vendor/update', name: 'update', hash: { sha256: C } },
      execguard: {
        decision: {
          verdict: 'allow',
          effect: 'allowed',
          decidedBy: 'maintenance-window',
          ruleId: ok.json().id,
          windowId: ok.json().id,
        },
      },
    });
    assert.equal((await h.call('POST', '/v1/events', h.agents['host-a']!, { events: [during] })).statusCode, 200);
    const q = (await h.call('GET', '/v1/review?state=new', h.tokens.viewer)).json();
    const g = q.groups.find((x: { identity: string }) => x.identity === C);
    assert.equal(g?.firstSeenInWindow, ok.json().id, JSON.stringify(q.groups));
    assert.equal((await h.call('POST', `/v1/windows/${ok.json().id}/revoke`, h.tokens.admin)).statusCode, 200);
    assert.equal((await h.call('POST', `/v1/windows/${ok.json().id}/revoke`, h.tokens.admin)).statusCode, 409);
  });

  test('the audit log export verifies offline with the public key, and tampering is detected', async () => {
    const r = await h.call('GET', '/v1/audit/export', h.tokens.viewer);
    assert.equal(r.statusCode, 200);
    const key = parsePublicKey(publicKey);
    const report = verifyAuditExport(r.body, key, { strict: true });
    assert.equal(report.intact, true, JSON.stringify(report.problems));
    const actions = r.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).action)
      .filter(Boolean);
    for (const a of [
      'token.bootstrap',
      'token.create',
      'host.enrol',
      'policy.add',
      'policy.publish',
      'group.mode',
      'group.promote',
      'window.create',
      'review.triage',
      'bundle.resign',
    ])
      assert.ok(actions.includes(a), `${a} not audited`);
    const lines = r.body.trim().split('\n');
    const i = lines.findIndex((l) => l.includes('"group.promote"'));
    const tampered = [...lines];
    tampered[i] = tampered[i]!.replace('"enforce"', '"audit"');
    assert.equal(verifyAuditExport(`${tampered.join('\n')}\n`, key).intact, false);
    const deleted = lines.filter((_, j) => j !== 2);
    assert.equal(verifyAuditExport(`${deleted.join('\n')}\n`, key).intact, false);
  });
});
