import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { inspect } from 'node:util';
import {
  canonicalJson,
  generateSigningKey,
  isTrustError,
  keyIdOf,
  parsePrivateKey,
  parsePublicKey,
  privateKeyPem,
  publicKeyPem,
  signBundle,
  type TrustErrorCode,
  verifyBundle,
} from './index.js';
import { DAY, envelopeFor, envelopeOf, examplePolicy, T0 } from './test-helpers.js';

const signer = generateSigningKey();
const policy = examplePolicy();
const base = { policy, sequence: 10, notBefore: new Date(T0), expiresAt: new Date(T0 + 30 * DAY) };
const good = signBundle(base, signer.privateKey);
const opts = { trustedKeys: [signer.publicKey], now: T0 + DAY };

function refused(code: TrustErrorCode, data: string | Uint8Array, options: Parameters<typeof verifyBundle>[1] = opts) {
  assert.throws(
    () => verifyBundle(data, options),
    (e) => {
      assert.ok(isTrustError(e), `expected a TrustError, got ${e}`);
      assert.equal(e.code, code, e.message);
      return true;
    },
  );
}

test('a signed bundle verifies and carries what was signed', () => {
  const v = verifyBundle(good.text, opts);
  assert.equal(v.sequence, 10);
  assert.equal(v.version, policy.metadata.version);
  assert.equal(v.keyId, signer.keyId);
  assert.equal(v.digest, good.digest);
  assert.deepEqual(v.policy, policy);
  assert.deepEqual(v.scope, {});
  assert.equal(v.notBefore, '2030-01-01T00:00:00.000Z');
  // Also from bytes, and with the key given as a TrustedKey.
  assert.equal(verifyBundle(Buffer.from(good.text), { ...opts, trustedKeys: [signer] }).digest, good.digest);
  // Signing is deterministic: same input, same bytes (a re-signed publish is not a "different content").
  assert.equal(signBundle(base, signer.privateKey).text, good.text);
});

test('tampered payload is refused before it is parsed', () => {
  const env = envelopeOf(good.text);
  const payload = Buffer.from(env.payload, 'base64').toString('utf8');
  // A meaningful edit: another rule action; still canonical JSON, still a valid policy.
  const edited = payload.replace('"action":"deny"', '"action":"allow"');
  assert.notEqual(edited, payload);
  refused('E_BAD_SIGNATURE', JSON.stringify({ ...env, payload: Buffer.from(edited).toString('base64') }));
  // A payload that is not even JSON, with the old signature: still a signature failure (nothing parsed first).
  refused('E_BAD_SIGNATURE', JSON.stringify({ ...env, payload: Buffer.from('{{{not json').toString('base64') }));
  // A flipped bit in the signature.
  const sig = Buffer.from(env.signature, 'base64');
  sig[5]! ^= 1;
  refused('E_BAD_SIGNATURE', JSON.stringify({ ...env, signature: sig.toString('base64') }));
});

test('unsigned bundles are refused', () => {
  const env = envelopeOf(good.text);
  const { signature: _s, ...noSig } = env;
  refused('E_UNSIGNED', JSON.stringify(noSig));
  refused('E_UNSIGNED', JSON.stringify({ ...env, signature: '' }));
  refused('E_UNSIGNED', JSON.stringify({ ...env, signature: null }));
});

test('a bundle signed by another key is refused, also when it claims a trusted key id', () => {
  const other = generateSigningKey();
  const foreign = signBundle(base, other.privateKey);
  refused('E_UNKNOWN_KEY', foreign.text);
  refused('E_UNKNOWN_KEY', good.text, { ...opts, trustedKeys: [] });
  // The attacker relabels their signature with the trusted key's id.
  const env = envelopeOf(foreign.text);
  refused('E_BAD_SIGNATURE', JSON.stringify({ ...env, keyId: signer.keyId }));
  // Trusting both keys: each bundle verifies with its own.
  assert.equal(verifyBundle(foreign.text, { ...opts, trustedKeys: [signer.publicKey, other.publicKey] }).keyId, other.keyId);
});

test('validity period: not yet valid, expired (end exclusive)', () => {
  refused('E_NOT_YET_VALID', good.text, { ...opts, now: T0 - 1 });
  assert.ok(verifyBundle(good.text, { ...opts, now: T0 }));
  refused('E_EXPIRED', good.text, { ...opts, now: T0 + 30 * DAY });
  refused('E_EXPIRED', good.text, { ...opts, now: new Date(T0 + 365 * DAY) });
});

test('rollback: lower sequence refused; equal sequence only with the same content', () => {
  refused('E_ROLLED_BACK', good.text, { ...opts, minSequence: 11 });
  assert.ok(verifyBundle(good.text, { ...opts, minSequence: 10 }));
  refused('E_ROLLED_BACK', good.text, { ...opts, current: { sequence: 11, digest: 'sha256:whatever' } });
  // Re-delivery of the bundle in force is fine.
  assert.ok(verifyBundle(good.text, { ...opts, current: { sequence: 10, digest: good.digest } }));
  // Same sequence, different content (here only a later expiry) is refused.
  const same = signBundle({ ...base, expiresAt: new Date(T0 + 60 * DAY) }, signer.privateKey);
  assert.notEqual(same.digest, good.digest);
  refused('E_ROLLED_BACK', same.text, { ...opts, current: { sequence: 10, digest: good.digest } });
  // Higher sequence accepted.
  const next = signBundle({ ...base, sequence: 11 }, signer.privateKey);
  assert.equal(verifyBundle(next.text, { ...opts, current: { sequence: 10, digest: good.digest } }).sequence, 11);
});

test('scope: a bundle for other hosts is refused when the host is given', () => {
  const scoped = signBundle({ ...base, scope: { roles: ['gateway'], labels: { line: '1' } } }, signer.privateKey);
  assert.ok(verifyBundle(scoped.text, { ...opts, host: { id: 'gw1', role: 'gateway', labels: { line: '1', zone: '3' } } }));
  refused('E_OUT_OF_SCOPE', scoped.text, { ...opts, host: { id: 'gw2', role: 'gateway', labels: { line: '2' } } });
  refused('E_OUT_OF_SCOPE', scoped.text, { ...opts, host: { id: 'hmi1', role: 'hmi', labels: { line: '1' } } });
  assert.ok(verifyBundle(scoped.text, opts), 'without a host, scope is informational');
});

test('a validly signed but invalid policy is refused (and signBundle will not sign one)', () => {
  const bad = { ...policy, defaults: { ...policy.defaults, mode: 'enforced' } } as unknown as typeof policy;
  assert.throws(
    () => signBundle({ ...base, policy: bad }, signer.privateKey),
    (e) => isTrustError(e, 'E_INVALID_POLICY'),
  );
  // Build the payload by hand, as a signer with a bug would.
  const payload = JSON.parse(Buffer.from(envelopeOf(good.text).payload, 'base64').toString('utf8'));
  payload.policy = bad;
  payload.policyDigest = `sha256:${createHash('sha256').update(canonicalJson(bad)).digest('hex')}`;
  refused('E_INVALID_POLICY', envelopeFor(canonicalJson(payload), signer.privateKey));
});

test('signed but structurally wrong payloads are malformed', () => {
  const payload = JSON.parse(Buffer.from(envelopeOf(good.text).payload, 'base64').toString('utf8'));
  // Not canonical (pretty-printed): one content must have one digest.
  refused('E_MALFORMED', envelopeFor(JSON.stringify(payload, null, 1), signer.privateKey));
  // keyId inside differs from the signing key.
  refused('E_MALFORMED', envelopeFor(canonicalJson({ ...payload, keyId: `sha256:${'0'.repeat(64)}` }), signer.privateKey));
  refused('E_MALFORMED', envelopeFor(canonicalJson({ ...payload, sequence: 0 }), signer.privateKey));
  refused('E_MALFORMED', envelopeFor(canonicalJson({ ...payload, sequence: 1.5 }), signer.privateKey));
  refused('E_MALFORMED', envelopeFor(canonicalJson({ ...payload, extra: 1 }), signer.privateKey));
  refused('E_MALFORMED', envelopeFor(canonicalJson({ ...payload, notBefore: 'yesterday' }), signer.privateKey));
  refused('E_MALFORMED', envelopeFor(canonicalJson({ ...payload, policyDigest: `sha256:${'1'.repeat(64)}` }), signer.privateKey));
  refused('E_MALFORMED', envelopeFor('[1,2,3]', signer.privateKey));
  for (const junk of [
    '',
    'null',
    '{}',
    '[]',
    '{"format":"execguard-bundle/v1"}',
    '\u00ff\u00fe',
    '{"format":"execguard-bundle/v2","payload":""}',
  ]) {
    refused('E_MALFORMED', junk);
  }
  const env = envelopeOf(good.text);
  refused('E_MALFORMED', JSON.stringify({ ...env, payload: `${env.payload}!` }));
  refused('E_MALFORMED', JSON.stringify({ ...env, keyId: 'me' }));
  refused('E_MALFORMED', JSON.stringify({ ...env, extra: true }));
  refused('E_MALFORMED', new Uint8Array([0xff, 0xfe, 0xfd]));
});

test('signBundle refuses bad arguments', () => {
  const bad: Parameters<typeof signBundle>[0][] = [
    { ...base, sequence: 0 },
    { ...base, sequence: 2.5 },
    { ...base, version: 0 },
    { ...base, notBefore: 'not a date' },
    { ...base, expiresAt: new Date(T0) },
    { ...base, scope: { hosts: [] } },
    { ...base, scope: { groups: ['x'] } as never },
  ];
  for (const b of bad)
    assert.throws(
      () => signBundle(b, signer.privateKey),
      (e) => isTrustError(e, 'E_INVALID_INPUT'),
      JSON.stringify({ ...b, policy: undefined }),
    );
  assert.throws(
    () => signBundle(base, signer.publicKey),
    (e) => isTrustError(e, 'E_KEY'),
  );
});

test('keys: PEM and raw forms give the same key id; private keys are not accepted as trusted keys; nothing secret is printed', () => {
  const pem = privateKeyPem(signer.privateKey);
  const pubPem = publicKeyPem(signer.publicKey);
  assert.equal(keyIdOf(parsePrivateKey(pem)), signer.keyId);
  assert.equal(keyIdOf(parsePublicKey(pubPem)), signer.keyId);
  const jwk = signer.publicKey.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x!, 'base64url');
  assert.equal(keyIdOf(parsePublicKey(raw)), signer.keyId);
  assert.equal(keyIdOf(parsePublicKey(raw.toString('hex'))), signer.keyId);
  assert.equal(keyIdOf(parsePublicKey(raw.toString('base64'))), signer.keyId);
  const seed = Buffer.from(signer.privateKey.export({ format: 'jwk' }).d!, 'base64url');
  assert.equal(keyIdOf(parsePrivateKey(seed.toString('hex'))), signer.keyId);
  assert.equal(keyIdOf(parsePrivateKey(seed)), signer.keyId);
  assert.throws(
    () => parsePublicKey(pem),
    (e) => isTrustError(e, 'E_KEY') && !e.message.includes(pem.split('\n')[1]!),
  );
  assert.throws(
    () => parsePublicKey('garbage'),
    (e) => isTrustError(e, 'E_KEY'),
  );
  assert.throws(
    () => parsePrivateKey(`-----BEGIN PRIVATE KEY-----\n${'A'.repeat(60)}\n-----END PRIVATE KEY-----\n`),
    (e) => isTrustError(e, 'E_KEY'),
  );
  const rsa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.throws(
    () => parsePublicKey(rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString()),
    (e) => isTrustError(e, 'E_KEY'),
  );
  assert.doesNotMatch(inspect(signer), new RegExp(seed.toString('hex').slice(0, 16)));
  assert.doesNotMatch(inspect(signer), /BEGIN/);
});
