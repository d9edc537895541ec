import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore, type StoredEvent } from '@execguard/store';
import { createServer } from './app.js';
import { DAY, T0 } from './testing.js';

const ev = (id: string, ts: number): StoredEvent => ({
  id: `h/${id}`,
  hostId: 'h',
  timestamp: ts,
  receivedAt: ts,
  effect: 'allowed',
  identity: '/bin/x',
  sha256: null,
  executable: '/bin/x',
  ruleId: null,
  techniques: [],
  document: { process: { executable: '/bin/x' } },
});

test('on start the server applies retention (configurable, default 400 days) and expires lapsed exceptions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-jobs-'));
  const store = await openStore(`sqlite:${join(dir, 'db.sqlite')}`);
  try {
    await store.insertEvents([ev('old', T0 - 401 * DAY), ev('kept', T0 - 399 * DAY), ev('recent', T0 - 10 * DAY)]);
    await store.createException({
      id: 'exc-1',
      status: 'active',
      emergency: true,
      scope: { hosts: ['h'] },
      match: { program: { sha256: ['a'.repeat(64)] } },
      ticket: 'CHG-1',
      reason: 'r',
      requester: 'alice',
      approver: null,
      createdAt: T0 - 2 * DAY,
      approvedAt: null,
      notBefore: null,
      expires: T0 + 80 * DAY,
      approveBy: T0 - DAY,
      closedAt: null,
      closedBy: null,
      closeReason: null,
    });
    const signing = { keyFile: join(dir, 'keys', 'execguard-signing.key') };
    const a = await createServer({ store, now: () => T0, signing });
    await a.close();
    assert.equal(await store.getEvent('h/old'), null);
    assert.ok(await store.getEvent('h/kept'));
    assert.equal((await store.getException('exc-1'))?.status, 'expired');
    const b = await createServer({ store, now: () => T0, signing, limits: { retentionDays: 30 } });
    await b.close();
    assert.equal(await store.getEvent('h/kept'), null);
    assert.ok(await store.getEvent('h/recent'));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
