import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, type Harness, harness, T0 } from './testing.js';

const H = 'b'.repeat(64);
const request = (over: Record<string, unknown> = {}) => ({
  scope: { hosts: ['host-a'] },
  match: { program: { sha256: [H] } },
  ticket: 'CHG-1001',
  reason: 'vendor hotfix for the HMI runtime',
  ...over,
});

describe('exceptions: request → approval by a different approver → active → expired or revoked', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => h.close());

  test('expiry is required: the default is 90 days, beyond the maximum is refused', async () => {
    const x = (await h.call('POST', '/v1/exceptions', h.tokens.analyst, request())).json();
    assert.equal(x.status, 'requested');
    assert.equal(Date.parse(x.expires), T0 + 90 * DAY);
    const far = await h.call(
      'POST',
      '/v1/exceptions',
      h.tokens.analyst,
      request({ expires: new Date(T0 + 400 * DAY).toISOString() }),
    );
    assert.equal(far.statusCode, 400);
    assert.equal(far.json().field, 'body/expires');
    const past = await h.call('POST', '/v1/exceptions', h.tokens.analyst, request({ expires: new Date(T0 - 1).toISOString() }));
    assert.equal(past.statusCode, 400);
  });

  test('the policy language’s own checks apply to a request (weak identity, empty scope, unknown field)', async () => {
    const weak = await h.call('POST', '/v1/exceptions', h.tokens.analyst, request({ match: { program: { name: ['cmd.exe'] } } }));
    assert.equal(weak.statusCode, 400, weak.body);
    assert.match(weak.json().field, /^body\/match/);
    const empty = await h.call('POST', '/v1/exceptions', h.tokens.analyst, request({ scope: {} }));
    assert.equal(empty.statusCode, 400, empty.body);
    const typo = await h.call('POST', '/v1/exceptions', h.tokens.analyst, request({ ticcket: 'x' }));
    assert.equal(typo.statusCode, 400);
    assert.equal(typo.json().field, 'body/ticcket');
    assert.match(typo.json().message, /unknown field "ticcket"/);
  });

  test('a requester cannot approve their own exception, even holding the approver role', async () => {
    const x = (await h.call('POST', '/v1/exceptions', h.tokens.analyst, request())).json();
    const own = await h.call('POST', `/v1/exceptions/${x.id}/approve`, h.tokens.aliceApprover);
    assert.equal(own.statusCode, 403);
    assert.match(own.json().message, /own exception/);
    assert.equal((await h.call('GET', `/v1/exceptions/${x.id}`, h.tokens.viewer)).json().status, 'requested');
    // The analyst role cannot approve at all; an admin is not an approver either.
    assert.equal((await h.call('POST', `/v1/exceptions/${x.id}/approve`, h.tokens.analyst)).statusCode, 403);
    assert.equal((await h.call('POST', `/v1/exceptions/${x.id}/approve`, h.tokens.admin)).statusCode, 403);
    const ok = await h.call('POST', `/v1/exceptions/${x.id}/approve`, h.tokens.approver);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().status, 'active');
    assert.equal(ok.json().approver, 'bob');
    assert.equal((await h.call('POST', `/v1/exceptions/${x.id}/approve`, h.tokens.approver2)).statusCode, 409, 'approved once');
    // Expires when its time is up.
    h.clock.now = T0 + 91 * DAY;
    assert.equal((await h.call('GET', `/v1/exceptions/${x.id}`, h.tokens.viewer)).json().status, 'expired');
    h.clock.now = T0;
  });

  test('revoke and reject end an exception; a closed one cannot be approved', async () => {
    const a = (await h.call('POST', '/v1/exceptions', h.tokens.analyst, request())).json();
    const rej = await h.call('POST', `/v1/exceptions/${a.id}/reject`, h.tokens.approver, {
      reason: 'use the vendor-signed build',
    });
    assert.equal(rej.json().status, 'rejected');
    assert.equal((await h.call('POST', `/v1/exceptions/${a.id}/approve`, h.tokens.approver2)).statusCode, 409);
    const b = (await h.call('POST', '/v1/exceptions', h.tokens.analyst, request())).json();
    await h.call('POST', `/v1/exceptions/${b.id}/approve`, h.tokens.approver);
    const rev = await h.call('POST', `/v1/exceptions/${b.id}/revoke`, h.tokens.admin, { reason: 'hotfix rolled back' });
    assert.equal(rev.json().status, 'revoked');
    assert.equal(rev.json().closedBy, 'bootstrap-admin');
    assert.equal((await h.call('POST', `/v1/exceptions/${b.id}/revoke`, h.tokens.admin, { reason: 'again' })).statusCode, 409);
  });

  test('emergency exceptions are active at once and lapse unless approved by someone else within 24 h', async () => {
    const lapsing = (await h.call('POST', '/v1/exceptions', h.tokens.analyst, request({ emergency: true }))).json();
    const kept = (await h.call('POST', '/v1/exceptions', h.tokens.analyst, request({ emergency: true }))).json();
    assert.equal(lapsing.status, 'active');
    assert.equal(Date.parse(lapsing.approveBy), T0 + DAY);
    h.clock.now = T0 + 23 * 3_600_000;
    assert.equal((await h.call('POST', `/v1/exceptions/${kept.id}/approve`, h.tokens.aliceApprover)).statusCode, 403);
    const ok = await h.call('POST', `/v1/exceptions/${kept.id}/approve`, h.tokens.approver);
    assert.equal(ok.json().status, 'active');
    h.clock.now = T0 + 25 * 3_600_000;
    const lapsed = (await h.call('GET', `/v1/exceptions/${lapsing.id}`, h.tokens.viewer)).json();
    assert.equal(lapsed.status, 'expired');
    assert.match(lapsed.closeReason, /not approved within 24 h/);
    assert.equal((await h.call('GET', `/v1/exceptions/${kept.id}`, h.tokens.viewer)).json().status, 'active');
    assert.equal((await h.call('POST', `/v1/exceptions/${lapsing.id}/approve`, h.tokens.approver)).statusCode, 409, 'too late');
    h.clock.now = T0;
  });

  test('every lifecycle step is in the audit log', async () => {
    const entries = (await h.call('GET', '/v1/audit?limit=1000', h.tokens.viewer)).json().entries as { action: string }[];
    const actions = new Set(entries.map((e) => e.action));
    for (const a of [
      'exception.request',
      'exception.approve',
      'exception.reject',
      'exception.revoke',
      'exception.emergency',
      'exception.expire',
    ])
      assert.ok(actions.has(a), `${a} missing from ${[...actions].join(', ')}`);
  });
});
