import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  generateSigningKey,
  importBundle,
  isTrustError,
  loadOrCreateSigningKey,
  readBundleState,
  readPrivateKeyFile,
  signBundle,
  writeSigningKey,
} from './index.js';
import { DAY, examplePolicy, T0 } from './test-helpers.js';

const signer = generateSigningKey();
const policy = examplePolicy();
const make = (sequence: number, days = 30) =>
  signBundle({ policy, sequence, notBefore: new Date(T0), expiresAt: new Date(T0 + days * DAY) }, signer.privateKey);
const now = T0 + DAY;

test('import remembers the highest sequence, installs the policy, refuses rollback and same-sequence changes', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'eg-trust-state-'));
  const opts = { stateDir, trustedKeys: [signer.publicKey], now };
  assert.equal(readBundleState(stateDir), undefined);
  const b5 = make(5);
  const r1 = importBundle(b5.text, opts);
  assert.equal(r1.changed, true);
  assert.equal(r1.previous, undefined);
  assert.deepEqual(JSON.parse(readFileSync(r1.policyFile, 'utf8')), policy);
  assert.equal(readFileSync(join(stateDir, 'bundle.json'), 'utf8'), b5.text);
  assert.equal(readBundleState(stateDir)?.sequence, 5);
  assert.equal(readBundleState(stateDir)?.digest, b5.digest);

  // Re-delivery of the same bundle: accepted, nothing changes.
  assert.equal(importBundle(b5.text, opts).changed, false);
  // Rollback to 4, and a different bundle numbered 5: refused, state untouched.
  assert.throws(
    () => importBundle(make(4).text, opts),
    (e) => isTrustError(e, 'E_ROLLED_BACK'),
  );
  assert.throws(
    () => importBundle(make(5, 60).text, opts),
    (e) => isTrustError(e, 'E_ROLLED_BACK'),
  );
  assert.equal(readBundleState(stateDir)?.digest, b5.digest);
  // Forward.
  const r2 = importBundle(make(9).text, opts);
  assert.equal(r2.previous?.sequence, 5);
  assert.equal(readBundleState(stateDir)?.sequence, 9);
  assert.throws(
    () => importBundle(b5.text, opts),
    (e) => isTrustError(e, 'E_ROLLED_BACK'),
  );
  // Refusals for other reasons leave the state as it was.
  assert.throws(
    () => importBundle(make(10).text, { ...opts, trustedKeys: [generateSigningKey().publicKey] }),
    (e) => isTrustError(e, 'E_UNKNOWN_KEY'),
  );
  assert.equal(readBundleState(stateDir)?.sequence, 9);
});

test('a corrupt state file is an error, never a reset of the rollback floor', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'eg-trust-state-'));
  writeFileSync(join(stateDir, 'bundle-state.json'), '{"sequence":');
  assert.throws(
    () => importBundle(make(1).text, { stateDir, trustedKeys: [signer.publicKey], now }),
    (e) => isTrustError(e, 'E_STATE'),
  );
  writeFileSync(join(stateDir, 'bundle-state.json'), '{"sequence":"many"}');
  assert.throws(
    () => readBundleState(stateDir),
    (e) => isTrustError(e, 'E_STATE'),
  );
});

test('the state directory lock: a live holder refuses, a dead one is taken over', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'eg-trust-state-'));
  const opts = { stateDir, trustedKeys: [signer.publicKey], now };
  // Our parent process is alive: its pid in the lock means "held".
  writeFileSync(join(stateDir, '.lock'), String(process.ppid));
  assert.throws(
    () => importBundle(make(1).text, opts),
    (e) => isTrustError(e, 'E_LOCKED'),
  );
  // A pid that has exited.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(stateDir, '.lock'), dead);
  assert.equal(importBundle(make(1).text, opts).bundle.sequence, 1);
  assert.throws(() => statSync(join(stateDir, '.lock')), 'lock released');
});

test('key files: private key written 0600, never overwritten, refused when group/other-readable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eg-trust-keys-'));
  const w = writeSigningKey(dir);
  assert.equal(statSync(w.privateKeyPath).mode & 0o777, 0o600);
  assert.equal(readPrivateKeyFile(w.privateKeyPath).type, 'private');
  assert.throws(
    () => writeSigningKey(dir),
    (e) => isTrustError(e, 'E_KEY') && /already exists/.test(e.message),
  );
  const { chmodSync } = await import('node:fs');
  chmodSync(w.privateKeyPath, 0o644);
  assert.throws(
    () => readPrivateKeyFile(w.privateKeyPath),
    (e) => isTrustError(e, 'E_KEY_PERMISSIONS'),
  );
  assert.throws(
    () => readPrivateKeyFile(join(dir, 'missing.key')),
    (e) => isTrustError(e, 'E_KEY'),
  );
});

test('loadOrCreateSigningKey: created on first use, the same key afterwards', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'eg-trust-keys-')), 'server');
  const first = loadOrCreateSigningKey(dir);
  assert.equal(first.created, true);
  assert.equal(statSync(join(dir, 'execguard-signing.key')).mode & 0o777, 0o600);
  const second = loadOrCreateSigningKey(dir);
  assert.equal(second.created, false);
  assert.equal(second.keyId, first.keyId);
  const b = signBundle({ policy, sequence: 1, notBefore: new Date(T0), expiresAt: new Date(T0 + DAY) }, second.privateKey);
  assert.equal(b.keyId, first.keyId);
});
