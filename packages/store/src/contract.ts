/**
 * The store contract: one suite, run against every implementation (sqlite.test.ts, postgres.test.ts).
 * Anything the server relies on is asserted here, so both databases behave the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyRetention } from './retention.js';
import type { ExceptionRecord, Store, StoredEvent } from './types.js';

export interface StoreHandle {
  readonly store: Store;
  /** Closes the store and removes what the test created. */
  readonly dispose: () => Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const DAY = 86_400_000;

export function event(id: string, over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id,
    hostId: 'h1',
    timestamp: T0,
    receivedAt: T0,
    effect: 'allowed',
    identity: 'a'.repeat(64),
    sha256: 'a'.repeat(64),
    executable: '/usr/bin/a',
    ruleId: 'r1',
    techniques: [],
    document: { event: { id }, process: { executable: '/usr/bin/a' } },
    ...over,
  };
}

const exception = (id: string, over: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
  id,
  status: 'requested',
  emergency: false,
  scope: { hosts: ['h1'] },
  match: { program: { sha256: ['b'.repeat(64)] } },
  ticket: 'CHG-1',
  reason: 'vendor update',
  requester: 'alice',
  approver: null,
  createdAt: T0,
  approvedAt: null,
  notBefore: null,
  expires: T0 + 90 * DAY,
  approveBy: null,
  closedAt: null,
  closedBy: null,
  closeReason: null,
  ...over,
});

export function storeContract(name: string, open: () => Promise<StoreHandle>): void {
  describe(`store contract: ${name}`, () => {
    let h: StoreHandle;
    let s: Store;
    before(async () => {
      h = await open();
      s = h.store;
    });
    after(async () => h.dispose());

    test('migrations are recorded', async () => {
      assert.deepEqual(await s.migrations(), [1, 2]);
    });

    test('meta: initMeta sets once, setMeta overwrites', async () => {
      assert.equal(await s.getMeta('k'), null);
      assert.equal(await s.initMeta('k', 'one'), true);
      assert.equal(await s.initMeta('k', 'two'), false);
      assert.equal(await s.getMeta('k'), 'one');
      await s.setMeta('k', 'three');
      assert.equal(await s.getMeta('k'), 'three');
    });

    test('hosts: seen-in-logs hosts never overwrite enrolled ones; patch, touch, group filter', async () => {
      await s.upsertAgentHost({ id: 'h1', name: 'hmi-1', os: 'linux', group: 'hmi', role: 'hmi', labels: { line: '1' } }, T0);
      await s.ensureHosts(
        [
          { id: 'h1', name: 'other' },
          { id: 'h2', name: 'ews-2', os: 'windows' },
        ],
        T0 + 1,
      );
      const h1 = await s.getHost('h1');
      assert.equal(h1?.name, 'hmi-1');
      assert.equal(h1?.agent, true);
      assert.deepEqual(h1?.labels, { line: '1' });
      const h2 = await s.getHost('h2');
      assert.equal(h2?.agent, false);
      assert.equal(h2?.os, 'windows');
      assert.equal((await s.updateHost('h2', { group: 'ews', labels: { a: 'b' } }))?.group, 'ews');
      assert.equal(await s.updateHost('nope', { group: 'x' }), null);
      await s.touchHost('h1', T0 + 10 * MIN);
      await s.touchHost('h1', T0 + 5 * MIN); // an older report does not move last-seen back
      assert.equal((await s.getHost('h1'))?.lastSeen, T0 + 10 * MIN);
      await s.touchHosts([
        { id: 'h2', at: T0 + 3 * MIN },
        { id: 'h1', at: T0 + 4 * MIN },
        { id: 'unknown', at: T0 },
      ]);
      assert.equal((await s.getHost('h1'))?.lastSeen, T0 + 10 * MIN);
      assert.equal((await s.getHost('h2'))?.lastSeen, T0 + 3 * MIN);
      assert.equal(await s.getHost('unknown'), null, 'touching does not create hosts');
      await s.touchHost('h1', T0 + 11 * MIN, { policyVersion: 3, bundleSequence: 7 });
      const t = await s.getHost('h1');
      assert.equal(t?.policyVersionApplied, 3);
      assert.equal(t?.bundleSequenceApplied, 7);
      assert.deepEqual(
        (await s.listHosts({ group: 'ews' })).map((x) => x.id),
        ['h2'],
      );
      assert.deepEqual(
        (await s.listHosts()).map((x) => x.id),
        ['h1', 'h2'],
      );
    });

    test('groups: put is an upsert', async () => {
      await s.putGroup({ name: 'hmi', mode: 'audit', modeSince: T0, auditUntil: T0 + 30 * DAY, description: null });
      await s.putGroup({ name: 'hmi', mode: 'enforce', modeSince: T0 + 1, auditUntil: null, description: 'HMIs' });
      assert.deepEqual(await s.getGroup('hmi'), {
        name: 'hmi',
        mode: 'enforce',
        modeSince: T0 + 1,
        auditUntil: null,
        description: 'HMIs',
      });
      assert.equal((await s.listGroups()).length, 1);
      assert.equal(await s.getGroup('none'), null);
    });

    test('tokens: found by hash only, revoked once, hashes unique', async () => {
      const tok = {
        id: 't1',
        hash: 'f'.repeat(64),
        subject: 'alice',
        role: 'admin' as const,
        hostId: null,
        createdAt: T0,
        expiresAt: null,
        revokedAt: null,
      };
      await s.createToken(tok);
      assert.deepEqual(await s.findTokenByHash('f'.repeat(64)), tok);
      assert.equal(await s.findTokenByHash('e'.repeat(64)), null);
      await assert.rejects(s.createToken({ ...tok, id: 't2' }));
      assert.equal(await s.revokeToken('t1', T0 + 1), true);
      assert.equal(await s.revokeToken('t1', T0 + 2), false);
      assert.equal((await s.findTokenByHash('f'.repeat(64)))?.revokedAt, T0 + 1);
      assert.equal((await s.listTokens()).length, 1);
    });

    test('enrolment tokens are one-time, also under concurrent use', async () => {
      await s.createEnrolment({
        id: 'e1',
        hash: 'd'.repeat(64),
        group: 'hmi',
        role: 'hmi',
        labels: { site: 'a' },
        createdBy: 'alice',
        createdAt: T0,
        expiresAt: T0 + DAY,
        usedAt: null,
        hostId: null,
      });
      assert.deepEqual((await s.findEnrolmentByHash('d'.repeat(64)))?.labels, { site: 'a' });
      const results = await Promise.all([s.consumeEnrolment('e1', 'hA', T0 + 1), s.consumeEnrolment('e1', 'hB', T0 + 1)]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      assert.equal(await s.consumeEnrolment('e1', 'hC', T0 + 2), false);
      const used = await s.getEnrolment('e1');
      assert.ok(used?.hostId === 'hA' || used?.hostId === 'hB');
      assert.equal(used?.usedAt, T0 + 1);
    });

    test('policy versions and bundles', async () => {
      assert.equal(await s.latestPolicyVersion('p'), 0);
      const v1 = await s.addPolicyVersion(
        { name: 'p', document: { a: 1 }, digest: 'x', createdBy: 'alice', createdAt: T0, comment: null },
        1,
      );
      assert.deepEqual(v1.document, { a: 1 });
      await s.addPolicyVersion(
        { name: 'p', document: { a: 2 }, digest: 'y', createdBy: 'bob', createdAt: T0 + 1, comment: 'c' },
        2,
      );
      await assert.rejects(
        s.addPolicyVersion({ name: 'p', document: {}, digest: 'z', createdBy: 'bob', createdAt: T0 + 2, comment: null }, 2),
        'a version is stored once',
      );
      assert.equal(await s.latestPolicyVersion('p'), 2);
      await s.markPublished('p', 2, 'carol', T0 + 5);
      const list = await s.listPolicyVersions('p');
      assert.deepEqual(
        list.map((v) => [v.version, v.publishedBy]),
        [
          [1, null],
          [2, 'carol'],
        ],
      );
      assert.equal(await s.latestBundle(), null);
      await s.addBundle({ sequence: 1, policyName: 'p', policyVersion: 2, bundle: '{"b":1}', createdAt: T0 });
      await s.addBundle({ sequence: 2, policyName: 'p', policyVersion: 2, bundle: '{"b":2}', createdAt: T0 });
      await assert.rejects(s.addBundle({ sequence: 2, policyName: 'p', policyVersion: 2, bundle: '{}', createdAt: T0 }));
      assert.equal((await s.latestBundle())?.bundle, '{"b":2}');
    });

    test('events: batch insert is idempotent by id (across and within batches)', async () => {
      const batch = Array.from({ length: 1000 }, (_, i) => event(`ev-${i}`, { timestamp: T0 + i * MIN }));
      assert.equal(await s.insertEvents(batch), 1000);
      assert.equal(await s.insertEvents([...batch.slice(990), event('ev-1000'), event('ev-1000')]), 1);
      assert.equal(await s.insertEvents([]), 0);
      const page = await s.queryEvents({ limit: 1 });
      assert.equal(page.total, 1001);
      assert.deepEqual((await s.getEvent('ev-5'))?.document, batch[5]?.document);
      await s.deleteEventsBefore(Number.MAX_SAFE_INTEGER);
    });

    test('events: a batch with an invalid row stores nothing of the batch', async () => {
      const bad = { ...event('bad-2'), hostId: null } as unknown as StoredEvent;
      await assert.rejects(s.insertEvents([event('bad-1'), bad, event('bad-3')]));
      assert.equal(await s.getEvent('bad-1'), null);
      assert.equal(await s.getEvent('bad-3'), null);
    });

    test('events: filters, facets and cursor pagination', async () => {
      const evs = [
        event('q1', { hostId: 'h1', timestamp: T0 + 1, effect: 'allowed' }),
        event('q2', {
          hostId: 'h1',
          timestamp: T0 + 2,
          effect: 'would-deny',
          techniques: ['T0853', 'T0807'],
          identity: 'b'.repeat(64),
        }),
        event('q3', {
          hostId: 'h2',
          timestamp: T0 + 3,
          effect: 'denied',
          techniques: ['T0853'],
          identity: '/tmp/x',
          sha256: null,
        }),
        event('q4', { hostId: 'h2', timestamp: T0 + 3, effect: null, ruleId: null }),
        event('q5', { hostId: 'h3', timestamp: T0 + 5, effect: 'would-deny', identity: 'b'.repeat(64) }),
      ];
      await s.insertEvents(evs);
      const all = await s.queryEvents({ limit: 10 });
      assert.equal(all.total, 5);
      assert.deepEqual(
        all.events.map((e) => e.id),
        ['q5', 'q4', 'q3', 'q2', 'q1'],
        'newest first, ties by id descending',
      );
      assert.deepEqual(all.facets.host, [
        { value: 'h1', count: 2 },
        { value: 'h2', count: 2 },
        { value: 'h3', count: 1 },
      ]);
      assert.deepEqual(all.facets.effect, [
        { value: 'would-deny', count: 2 },
        { value: 'allowed', count: 1 },
        { value: 'denied', count: 1 },
        { value: 'none', count: 1 },
      ]);
      assert.deepEqual(all.facets.technique, [
        { value: 'T0853', count: 2 },
        { value: 'T0807', count: 1 },
      ]);
      const t = await s.queryEvents({ limit: 10, technique: 'T0807' });
      assert.deepEqual(
        t.events.map((e) => e.id),
        ['q2'],
      );
      const f = await s.queryEvents({
        limit: 10,
        hostIds: ['h1', 'h2'],
        effects: ['would-deny', 'denied'],
        since: T0 + 2,
        until: T0 + 4,
      });
      assert.deepEqual(
        f.events.map((e) => e.id),
        ['q3', 'q2'],
      );
      assert.equal((await s.queryEvents({ limit: 10, identity: 'b'.repeat(64) })).total, 2);
      // The chart's counts: buckets of 2 ms from T0 + 1, per effect; a filter applies as in queryEvents.
      assert.deepEqual(await s.eventTimeline({ since: T0 + 1, until: T0 + 6, bucketMs: 2 }), [
        { start: T0 + 1, effect: 'allowed', count: 1 },
        { start: T0 + 1, effect: 'would-deny', count: 1 },
        { start: T0 + 3, effect: 'denied', count: 1 },
        { start: T0 + 3, effect: 'none', count: 1 },
        { start: T0 + 5, effect: 'would-deny', count: 1 },
      ]);
      assert.deepEqual(await s.eventTimeline({ since: T0, until: T0 + 5, bucketMs: 10, effects: ['would-deny', 'denied'] }), [
        { start: T0, effect: 'denied', count: 1 },
        { start: T0, effect: 'would-deny', count: 1 },
      ]);
      assert.equal((await s.queryEvents({ limit: 10, hostIds: [] })).total, 0);
      assert.equal((await s.queryEvents({ limit: 10, ruleId: 'r1' })).total, 4);
      // Pages of two cover everything exactly once, including the two events with the same time.
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const p = await s.queryEvents({ limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...p.events.map((e) => e.id));
        if (!p.cursor) break;
        cursor = p.cursor;
      }
      assert.deepEqual(seen, ['q5', 'q4', 'q3', 'q2', 'q1']);
      await assert.rejects(s.queryEvents({ limit: 2, cursor: 'garbage' }), RangeError);
      const scanned: string[] = [];
      for await (const page of s.scanEvents({ hostIds: ['h1', 'h2'] }, 2)) scanned.push(...page.map((e) => e.id));
      assert.deepEqual(scanned, ['q1', 'q2', 'q3', 'q4']);
    });

    test('review queue groups denied, would-deny and technique-tagged events by identity with triage state', async () => {
      // An allowed event the server flags (allowed only because a maintenance window relaxed the policy).
      await s.insertEvents([event('q6', { hostId: 'h3', timestamp: T0 + 6, identity: 'c'.repeat(64), review: true })]);
      const q = await s.reviewQueue({ limit: 10 });
      assert.deepEqual(q.find((g) => g.identity === 'c'.repeat(64))?.effects, [{ value: 'allowed', count: 1 }]);
      const b = q.find((g) => g.identity === 'b'.repeat(64));
      assert.ok(b);
      assert.equal(b.count, 2);
      assert.deepEqual(b.hosts, ['h1', 'h3']);
      assert.deepEqual(b.effects, [{ value: 'would-deny', count: 2 }]);
      assert.deepEqual(b.techniques, ['T0807', 'T0853']);
      assert.equal(b.state, 'new');
      assert.equal(b.firstSeen, T0 + 2);
      assert.equal(b.lastSeen, T0 + 5);
      assert.ok(!q.some((g) => g.identity === 'a'.repeat(64) && g.count > 0 && g.effects.some((e) => e.value === 'allowed')));
      await s.setTriage({ identity: 'b'.repeat(64), state: 'malicious', note: 'dropper', updatedBy: 'alice', updatedAt: T0 });
      assert.equal((await s.getTriage('b'.repeat(64)))?.note, 'dropper');
      const undecided = await s.reviewQueue({ limit: 10, states: ['new', 'investigating'] });
      assert.deepEqual(undecided.map((g) => g.identity).sort(), ['/tmp/x', 'c'.repeat(64)]);
      const h3 = await s.reviewQueue({ limit: 10, hostIds: ['h3'] });
      assert.deepEqual(
        h3.map((g) => [g.identity, g.count, g.state]),
        [
          ['b'.repeat(64), 1, 'malicious'],
          ['c'.repeat(64), 1, 'new'],
        ],
      );
    });

    test('retention deletes only events older than the cutoff', async () => {
      const now = T0 + 500 * DAY;
      await s.insertEvents([event('old', { timestamp: now - 401 * DAY }), event('new', { timestamp: now - 399 * DAY })]);
      assert.equal(await applyRetention(s, now), 7, 'the six query and review events and "old"');
      assert.equal(await s.getEvent('old'), null);
      assert.ok(await s.getEvent('new'));
      assert.equal(await applyRetention(s, now, 10), 1);
      await assert.rejects(applyRetention(s, now, 0), RangeError);
    });

    test('exceptions: transitions are compare-and-set', async () => {
      await s.createException(exception('x1'));
      await assert.rejects(s.createException(exception('x1')));
      const [a, b] = await Promise.all([
        s.transitionException('x1', { from: ['requested'], to: 'active', approver: 'bob', approvedAt: T0 + 1 }),
        s.transitionException('x1', { from: ['requested'], to: 'rejected', closedBy: 'carol', closedAt: T0 + 1 }),
      ]);
      assert.equal([a, b].filter((x) => x !== null).length, 1);
      const x = await s.getException('x1');
      assert.ok(x?.status === 'active' ? x.approver === 'bob' : x?.closedBy === 'carol');
      await s.createException(exception('x2', { emergency: true, status: 'active', approveBy: T0 + DAY }));
      const e = await s.getException('x2');
      assert.equal(e?.emergency, true);
      assert.deepEqual(e?.match, { program: { sha256: ['b'.repeat(64)] } });
      assert.equal(
        (await s.listExceptions(['active'])).some((r) => r.id === 'x2'),
        true,
      );
      assert.equal((await s.listExceptions()).length, 2);
      assert.equal(await s.transitionException('missing', { from: ['requested'], to: 'active' }), null);
    });

    test('maintenance windows: revoked once', async () => {
      const w = {
        id: 'w1',
        ticket: 'CHG-2',
        scope: { roles: ['hmi'] },
        relax: { defaultDeny: true },
        start: T0,
        end: T0 + DAY,
        reason: null,
        createdBy: 'alice',
        createdAt: T0,
        revokedAt: null,
        revokedBy: null,
      };
      await s.createWindow(w);
      assert.deepEqual(await s.getWindow('w1'), w);
      assert.equal((await s.revokeWindow('w1', 'bob', T0 + 1))?.revokedBy, 'bob');
      assert.equal(await s.revokeWindow('w1', 'carol', T0 + 2), null);
      assert.equal((await s.listWindows()).length, 1);
    });

    test('blobs: stored whole, listed without content', async () => {
      const content = '{"path":"/usr/bin/a"}\n'.repeat(1000);
      const meta = {
        id: 'b1',
        kind: 'inventory' as const,
        hostId: 'h1',
        name: 'scan.jsonl',
        sha256: 'c'.repeat(64),
        size: content.length,
        uploadedBy: 'agent:h1',
        createdAt: T0,
      };
      await s.putBlob(meta, content);
      await s.putBlob({ ...meta, id: 'b2', kind: 'baseline', hostId: null }, '{}');
      assert.deepEqual(await s.getBlob('b1'), { meta, content });
      assert.deepEqual(
        (await s.listBlobs({ kind: 'inventory', hostId: 'h1' })).map((b) => b.id),
        ['b1'],
      );
      assert.equal((await s.listBlobs()).length, 2);
    });

    test('audit log: append-only by sequence, listed in order', async () => {
      assert.equal(await s.lastAudit(), null);
      for (let i = 1; i <= 3; i++)
        await s.appendAudit({
          seq: i,
          at: T0 + i,
          actor: 'alice',
          action: 'test',
          target: null,
          record: `{"n":${i}}`,
          hash: `h${i}`,
        });
      await assert.rejects(
        s.appendAudit({ seq: 3, at: T0, actor: 'mallory', action: 'x', target: null, record: '{}', hash: 'h' }),
      );
      assert.equal((await s.lastAudit())?.hash, 'h3');
      assert.deepEqual(
        (await s.listAudit(1, 10)).map((a) => a.seq),
        [2, 3],
      );
      await s.addAuditCheckpoint({ seq: 2, record: '{"c":2}', createdAt: T0 });
      await s.addAuditCheckpoint({ seq: 3, record: '{"c":3}', createdAt: T0 });
      await assert.rejects(s.addAuditCheckpoint({ seq: 3, record: '{}', createdAt: T0 }));
      assert.deepEqual(
        (await s.listAuditCheckpoints(2, 10)).map((c) => c.record),
        ['{"c":3}'],
      );
    });
  });
}
