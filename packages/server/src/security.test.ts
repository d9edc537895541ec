import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { execEvent, type Harness, harness } from './testing.js';

interface Operation {
  'x-roles': string[];
  security: unknown[];
  parameters: { name: string; in: string }[];
}

const ALL_ROLES = ['viewer', 'analyst', 'approver', 'admin', 'agent', 'enrolment'] as const;

describe('security: every route in /openapi.json', () => {
  let h: Harness;
  let ops: { method: string; path: string; op: Operation }[];
  let enrolmentToken: string;
  const tokenFor = (role: (typeof ALL_ROLES)[number]): string =>
    role === 'agent' ? h.agents['host-a']! : role === 'enrolment' ? enrolmentToken : h.tokens[role];

  before(async () => {
    h = await harness();
    await h.enrol('host-a');
    await h.enrol('host-b');
    const e = await h.call('POST', '/v1/enrolment-tokens', h.tokens.admin, {});
    enrolmentToken = e.json().token;
    const doc = (await h.call('GET', '/openapi.json', h.tokens.viewer)).json();
    assert.equal(doc.openapi, '3.1.0');
    ops = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
    assert.ok(ops.length >= 40, `only ${ops.length} operations documented`);
  });
  after(async () => h.close());

  // Path parameters filled with values that exist where it matters (the agent's own host).
  const url = (path: string, host = 'host-a') =>
    path.replace('{hostId}', host).replace('{name}', 'p').replace('{version}', '1').replace('{id}', 'x');

  test('only /healthz is public, and it answers without credentials', async () => {
    const open = ops.filter((o) => o.op.security.length === 0).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(open, ['GET /healthz']);
    assert.equal((await h.call('GET', '/healthz', null)).statusCode, 200);
  });

  test('no credentials → 401, a malformed or unknown token → 401', async () => {
    for (const { method, path, op } of ops) {
      if (op.security.length === 0) continue;
      const r = await h.call(method, url(path), null);
      assert.equal(r.statusCode, 401, `${method} ${path} without credentials: ${r.statusCode} ${r.body}`);
      assert.equal(r.json().error, 'unauthorized');
    }
    const fake = `egt_${'A'.repeat(43)}`;
    assert.equal((await h.call('GET', '/v1/hosts', fake)).statusCode, 401);
    assert.equal((await h.call('GET', '/v1/hosts', 'not-a-token')).statusCode, 401);
  });

  test('every role not listed in x-roles → 403 (before the request body is even looked at)', async () => {
    let checked = 0;
    for (const { method, path, op } of ops) {
      if (op.security.length === 0) continue;
      const wrong = ALL_ROLES.filter((r) => !op['x-roles'].includes(r));
      assert.ok(wrong.length > 0, `${method} ${path} admits every role`);
      for (const role of wrong) {
        const r = await h.call(method, url(path), tokenFor(role));
        assert.equal(r.statusCode, 403, `${method} ${path} as ${role}: ${r.statusCode} ${r.body}`);
        checked++;
      }
    }
    assert.ok(checked > 100, `${checked} checks`);
  });

  test('an agent credential cannot read or write another host', async () => {
    const agentRoutes = ops.filter((o) => o.op['x-roles'].includes('agent') && o.path.includes('{hostId}'));
    assert.ok(agentRoutes.length >= 4, agentRoutes.map((o) => o.path).join());
    for (const { method, path } of agentRoutes) {
      const r = await h.call(method, url(path, 'host-b'), h.agents['host-a']!, method === 'GET' ? undefined : {});
      assert.equal(r.statusCode, 403, `${method} ${path} for host-b with host-a's credential: ${r.body}`);
    }
    // Events: an agent posts only its own host's events; none of the batch is stored.
    const r = await h.call('POST', '/v1/events', h.agents['host-a']!, {
      events: [execEvent('e-own', 'host-a'), execEvent('e-other', 'host-b')],
    });
    assert.equal(r.statusCode, 403);
    assert.match(r.json().message, /own host/);
    assert.equal((await h.store.queryEvents({ limit: 10 })).total, 0);
    // Its own host works, and an event without host.id is its own.
    const ok = await h.call('POST', '/v1/events', h.agents['host-a']!, {
      events: [execEvent('e-own', 'host-a'), { ...execEvent('e-nohost', 'x'), host: undefined }],
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const stored = await h.store.queryEvents({ limit: 10 });
    assert.deepEqual(stored.facets.host, [{ value: 'host-a', count: 2 }]);
    // It cannot read events at all, nor the host list.
    assert.equal((await h.call('GET', '/v1/events', h.agents['host-a']!)).statusCode, 403);
    assert.equal((await h.call('GET', '/v1/hosts', h.agents['host-a']!)).statusCode, 403);
    assert.equal((await h.call('GET', '/v1/hosts/host-a', h.agents['host-a']!)).statusCode, 200);
  });

  test('an enrolment token is one-time, and cannot take over a host that has an agent', async () => {
    const e = (await h.call('POST', '/v1/enrolment-tokens', h.tokens.admin, {})).json().token;
    assert.equal((await h.call('POST', '/v1/enrol', e, { hostId: 'host-a' })).statusCode, 409);
    assert.equal((await h.call('POST', '/v1/enrol', e, { hostId: 'host-c' })).statusCode, 201);
    assert.equal((await h.call('POST', '/v1/enrol', e, { hostId: 'host-d' })).statusCode, 401);
  });

  test('revoked tokens stop working at once', async () => {
    const t = (await h.call('POST', '/v1/tokens', h.tokens.admin, { subject: 'temp', role: 'viewer' })).json();
    assert.equal((await h.call('GET', '/v1/hosts', t.token)).statusCode, 200);
    assert.equal((await h.call('POST', `/v1/tokens/${t.id}/revoke`, h.tokens.admin)).statusCode, 200);
    assert.equal((await h.call('GET', '/v1/hosts', t.token)).statusCode, 401);
  });

  test('secrets are stored hashed: no token appears in the database', async () => {
    const rows = await h.store.listTokens();
    for (const secret of [h.tokens.admin, h.tokens.viewer, h.agents['host-a']!]) {
      assert.ok(!rows.some((r) => r.hash === secret || JSON.stringify(r).includes(secret)));
    }
    const list = (await h.call('GET', '/v1/tokens', h.tokens.admin)).json();
    assert.ok(!JSON.stringify(list).includes('hash'));
  });
});

describe('security: failed authentication is rate limited per address', () => {
  test('after the limit, even a valid token gets 429 until the window ends', async () => {
    const h = await harness({ authFailures: { limit: 3, windowMs: 60_000 } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await h.call('GET', '/v1/hosts', `egt_${'B'.repeat(43)}`)).statusCode, 401);
      const r = await h.call('GET', '/v1/hosts', h.tokens.admin);
      assert.equal(r.statusCode, 429);
      assert.ok(r.headers['retry-after']);
      assert.equal((await h.call('GET', '/healthz', null)).statusCode, 200, 'healthz stays reachable');
    } finally {
      await h.close();
    }
  });
});
