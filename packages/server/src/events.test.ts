import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { execEvent, type Harness, harness, T0 } from './testing.js';

for (const db of ['sqlite', 'postgres'] as const)
  describe(`events: batch ingest and queries (${db})`, () => {
    let h: Harness;
    before(async () => {
      h = await harness({}, db);
    });
    after(async () => h.close());

    test('ingest is idempotent by host and event id; events without an id by their content', async () => {
      const batch = Array.from({ length: 50 }, (_, i) => execEvent(`e${i}`, i % 2 ? 'ws-01' : 'ws-02'));
      const noId = { ...execEvent('x', 'ws-01'), event: { kind: 'event' } };
      for (let i = 0; i < 2; i++) {
        const r = await h.call('POST', '/v1/events', h.tokens.analyst, { events: [...batch, noId] });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json().accepted, 51);
      }
      assert.equal((await h.store.queryEvents({ limit: 1 })).total, 51);
      // The same event id on another host is another event.
      await h.call('POST', '/v1/events', h.tokens.analyst, { events: [execEvent('e0', 'ws-03')] });
      assert.equal((await h.store.queryEvents({ limit: 1 })).total, 52);
    });

    test('hosts named in uploaded logs appear as hosts without an agent', async () => {
      const hosts = (await h.call('GET', '/v1/hosts', h.tokens.viewer)).json().hosts as { id: string; agent: boolean }[];
      assert.deepEqual(
        hosts.map((x) => [x.id, x.agent]),
        [
          ['ws-01', false],
          ['ws-02', false],
          ['ws-03', false],
        ],
      );
    });

    test('a bad event is a 400 naming the field, and nothing of its batch is stored', async () => {
      const before = (await h.store.queryEvents({ limit: 1 })).total;
      const cases: [unknown, RegExp][] = [
        [{ events: [execEvent('ok', 'ws-01'), { host: { id: 'ws-01' } }] }, /^body\/events\/1\/process/],
        [
          { events: [execEvent('ok', 'ws-01'), { ...execEvent('t', 'ws-01'), '@timestamp': 'yesterday' }] },
          /^events\[1\]\/@timestamp/,
        ],
        [{ events: [{ ...execEvent('h', 'x'), host: { id: 'bad host!' } }] }, /^events\[0\]\/host\/id/],
        [{ events: [{ ...execEvent('n', 'x'), host: undefined }] }, /^events\[0\]\/host\/id/],
        [{ events: [] }, /^body\/events/],
        [{ events: [execEvent('ok', 'ws-01')], evnts: [] }, /^body\/evnts/],
      ];
      for (const [body, field] of cases) {
        const r = await h.call('POST', '/v1/events', h.tokens.analyst, body);
        assert.equal(r.statusCode, 400, `${JSON.stringify(body).slice(0, 80)}: ${r.body}`);
        assert.match(r.json().field, field, r.body);
        assert.equal(r.json().error, 'invalid_request');
      }
      const bad = await h.server.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: `Bearer ${h.tokens.analyst}`, 'content-type': 'application/json' },
        payload: '{"events": [',
      });
      assert.equal(bad.statusCode, 400);
      assert.equal((await h.store.queryEvents({ limit: 1 })).total, before);
    });

    test('queries filter by host, effect, technique and time, with facets over all matches and a cursor', async () => {
      const decided = (id: string, effect: string, techniques: string[]) =>
        execEvent(id, 'hmi-1', {
          '@timestamp': new Date(T0 + Number(id.slice(1)) * 1000).toISOString(),
          execguard: { decision: { effect, verdict: effect === 'allowed' ? 'allow' : 'deny', ruleId: 'r', techniques } },
          process: { executable: `/tmp/${id}`, name: id },
        });
      await h.call('POST', '/v1/events', h.tokens.admin, {
        events: [decided('d1', 'would-deny', ['T0853']), decided('d2', 'denied', ['T0863']), decided('d3', 'allowed', [])],
      });
      const r = (await h.call('GET', '/v1/events?host=hmi-1&effect=would-deny,denied&limit=1', h.tokens.viewer)).json();
      assert.equal(r.total, 2);
      assert.equal(r.events.length, 1);
      assert.equal(r.events[0].id, 'hmi-1/d2');
      assert.deepEqual(r.facets.technique, [
        { value: 'T0853', count: 1 },
        { value: 'T0863', count: 1 },
      ]);
      const next = (
        await h.call('GET', `/v1/events?host=hmi-1&effect=would-deny,denied&limit=1&cursor=${r.cursor}`, h.tokens.viewer)
      ).json();
      assert.equal(next.events[0].id, 'hmi-1/d1');
      const t = (await h.call('GET', '/v1/events?technique=T0853', h.tokens.viewer)).json();
      assert.equal(t.total, 1);
      const since = (
        await h.call('GET', `/v1/events?host=hmi-1&since=${new Date(T0 + 2000).toISOString()}`, h.tokens.viewer)
      ).json();
      assert.equal(since.total, 2);
      assert.equal((await h.call('GET', '/v1/events?effect=maybe', h.tokens.viewer)).statusCode, 400);
      assert.equal((await h.call('GET', '/v1/events?technique=T1059', h.tokens.viewer)).statusCode, 400);
      assert.equal((await h.call('GET', '/v1/events?limit=0', h.tokens.viewer)).statusCode, 400);
      assert.equal((await h.call('GET', '/v1/events?cursor=zzz', h.tokens.viewer)).json().field, 'querystring/cursor');
    });

    test('the review queue groups denies and would-denies by identity', async () => {
      const q = (await h.call('GET', '/v1/review?state=new', h.tokens.viewer)).json();
      assert.deepEqual(q.groups.map((g: { identity: string }) => g.identity).sort(), ['/tmp/d1', '/tmp/d2']);
      const t = await h.call('POST', '/v1/review/triage', h.tokens.analyst, { identity: '/tmp/d1', state: 'investigating' });
      assert.equal(t.statusCode, 200, t.body);
      const m = await h.call('POST', '/v1/review/mark-malicious', h.tokens.analyst, { identity: '/tmp/d2', note: 'dropper' });
      assert.equal(m.json().state, 'malicious');
      const left = (await h.call('GET', '/v1/review?state=new,investigating', h.tokens.viewer)).json();
      assert.deepEqual(
        left.groups.map((g: { identity: string; state: string }) => [g.identity, g.state]),
        [['/tmp/d1', 'investigating']],
      );
      assert.equal(
        (await h.call('POST', '/v1/review/triage', h.tokens.analyst, { identity: '/nowhere', state: 'dismissed' })).statusCode,
        400,
      );
      assert.equal(
        (await h.call('POST', '/v1/review/approve', h.tokens.analyst, { identity: '/tmp/d1', policy: 'p' })).statusCode,
        400,
        'a path cannot be approved',
      );
    });
    test('the timeline counts events per day and effect in one query, empty days included', async () => {
      const HOUR = 3_600_000;
      const ev = (id: string, at: number, effect: string) =>
        execEvent(id, 'tl-01', {
          '@timestamp': new Date(at).toISOString(),
          execguard: { decision: { effect, verdict: effect === 'allowed' ? 'allow' : 'deny', ruleId: 'r', techniques: [] } },
        });
      const base = T0 + 40 * 86_400_000;
      const events = [
        ev('tl1', base + HOUR, 'denied'),
        ev('tl2', base + 2 * HOUR, 'would-deny'),
        ev('tl3', base + 3 * HOUR, 'would-deny'),
        ev('tl4', base + 2 * 86_400_000 + HOUR, 'denied'),
      ];
      assert.equal((await h.call('POST', '/v1/events', h.tokens.analyst, { events })).statusCode, 200);
      const iso = (t: number) => new Date(t).toISOString();
      const url = `/v1/events/timeline?host=tl-01&since=${iso(base)}&until=${iso(base + 3 * 86_400_000)}&bucket=day`;
      const r = await h.call('GET', url, h.tokens.viewer);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {
        bucket: 'day',
        buckets: [
          { start: iso(base), counts: { denied: 1, 'would-deny': 2 } },
          { start: iso(base + 86_400_000), counts: {} },
          { start: iso(base + 2 * 86_400_000), counts: { denied: 1 } },
        ],
      });
      const only = (await h.call('GET', `${url}&effect=denied`, h.tokens.viewer)).json();
      assert.deepEqual(
        only.buckets.map((b: { counts: Record<string, number> }) => b.counts),
        [{ denied: 1 }, {}, { denied: 1 }],
      );
      // Bounded and validated: an empty or reversed range, too many buckets, a missing bound, an unknown effect.
      const bad = [
        `/v1/events/timeline?since=${iso(base)}&until=${iso(base)}&bucket=day`,
        `/v1/events/timeline?since=${iso(base)}&until=${iso(base + 2000 * HOUR)}&bucket=hour`,
        `/v1/events/timeline?since=${iso(base)}&bucket=day`,
        `/v1/events/timeline?since=${iso(base)}&until=${iso(base + HOUR)}&bucket=week`,
        `${url}&effect=maybe`,
      ];
      for (const b of bad) assert.equal((await h.call('GET', b, h.tokens.viewer)).statusCode, 400, b);
    });
  });
