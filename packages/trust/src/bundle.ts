import type { KeyObject } from 'node:crypto';
import { type Policy, type Selector, validatePolicy } from '@execguard/schema';
import { canonicalBytes, canonicalJson, sha256Hex } from './canonical.js';
import { decodeBase64Strict } from './encoding.js';
import { TrustError } from './errors.js';
import { keyIdOf, signWithContext, type TrustedKey, toTrustedKeys, verifyWithContext } from './keys.js';

/**
 * Signed policy bundle, format execguard-bundle/v1 (docs/adr: bundle format). The file is a JSON
 * object (UTF-8, any whitespace):
 *   { "format": "execguard-bundle/v1", "keyId": "sha256:…", "signature": base64, "payload": base64 }
 * `payload` is the canonical JSON (canonical.ts) of BundlePayload; `signature` is Ed25519 over
 * "execguard-bundle/v1\n" + payload bytes. The payload travels as base64 so the signed bytes are
 * carried exactly — no re-serialisation, no line-ending or editor changes on removable media.
 */
export const BUNDLE_FORMAT = 'execguard-bundle/v1';
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/** Which hosts a bundle is for: the policy language's selector (every given field must match). {} = all hosts. */
export type BundleScope = Selector;

export interface BundlePayload {
  readonly format: typeof BUNDLE_FORMAT;
  /** Key that signed it (repeated inside the signed bytes so the signature binds it). */
  readonly keyId: string;
  /** Monotonic publish counter: agents refuse anything lower than what they run. */
  readonly sequence: number;
  /** The policy version this bundle carries (usually policy.metadata.version). */
  readonly version: number;
  readonly scope: BundleScope;
  /** ISO 8601 UTC, millisecond precision. Valid from notBefore (inclusive) to expiresAt (exclusive). */
  readonly notBefore: string;
  readonly expiresAt: string;
  /** "sha256:" + hex of the canonical policy JSON. */
  readonly policyDigest: string;
  readonly policy: Policy;
}

export interface BundleInput {
  readonly policy: Policy;
  /** Defaults to policy.metadata.version. */
  readonly version?: number;
  readonly sequence: number;
  readonly scope?: BundleScope;
  readonly notBefore: Date | string;
  readonly expiresAt: Date | string;
}

export interface SignedBundle {
  /** The bundle file's content (what goes on removable media or over the wire). */
  readonly text: string;
  /** "sha256:" + hex SHA-256 of the payload bytes: identifies the bundle's content. */
  readonly digest: string;
  readonly keyId: string;
  readonly payload: BundlePayload;
}

export interface VerifiedBundle extends BundlePayload {
  readonly digest: string;
}

export interface HostIdentity {
  readonly id: string;
  readonly name?: string;
  readonly role?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface VerifyBundleOptions {
  readonly trustedKeys: readonly (KeyObject | TrustedKey)[];
  /** Time of the check (ms or Date); default now. */
  readonly now?: Date | number;
  /** Lowest sequence acceptable (the sequence the caller runs). */
  readonly minSequence?: number;
  /**
   * The bundle the caller runs: a lower sequence is a rollback; the same sequence is accepted only
   * with the same digest (a re-delivery), never with different content.
   */
  readonly current?: { readonly sequence: number; readonly digest: string };
  /** When given, a bundle whose scope does not include this host is refused (E_OUT_OF_SCOPE). */
  readonly host?: HostIdentity;
}

const isoOf = (t: Date | string, what: string): string => {
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  if (Number.isNaN(ms)) throw new TrustError('E_INVALID_INPUT', `${what}: not a valid time`);
  return new Date(ms).toISOString();
};

export const policyDigest = (policy: Policy) => `sha256:${sha256Hex(canonicalBytes(policy))}`;

export function signBundle(input: BundleInput, privateKey: KeyObject): SignedBundle {
  const version = input.version ?? input.policy.metadata?.version;
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 1) {
    throw new TrustError('E_INVALID_INPUT', 'sequence must be an integer >= 1');
  }
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new TrustError('E_INVALID_INPUT', 'version must be an integer >= 1');
  }
  const notBefore = isoOf(input.notBefore, 'notBefore');
  const expiresAt = isoOf(input.expiresAt, 'expiresAt');
  if (Date.parse(expiresAt) <= Date.parse(notBefore))
    throw new TrustError('E_INVALID_INPUT', 'expiresAt must be after notBefore');
  const scope = input.scope ?? {};
  const scopeProblem = checkScope(scope);
  if (scopeProblem) throw new TrustError('E_INVALID_INPUT', `scope: ${scopeProblem}`);
  // Never sign what no agent would accept.
  const issues = validatePolicy(input.policy);
  if (issues.length > 0) {
    throw new TrustError(
      'E_INVALID_POLICY',
      `policy is invalid: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`,
    );
  }
  const keyId = keyIdOf(privateKey);
  const payload: BundlePayload = {
    format: BUNDLE_FORMAT,
    keyId,
    sequence: input.sequence,
    version: version as number,
    scope,
    notBefore,
    expiresAt,
    policyDigest: policyDigest(input.policy),
    policy: input.policy,
  };
  const bytes = canonicalBytes(payload);
  const signature = signWithContext(BUNDLE_FORMAT, bytes, privateKey);
  const envelope = { format: BUNDLE_FORMAT, keyId, signature: signature.toString('base64'), payload: bytes.toString('base64') };
  return {
    text: `${JSON.stringify(envelope, null, 2)}\n`,
    digest: `sha256:${sha256Hex(bytes)}`,
    keyId,
    // A parsed copy: the caller cannot change what was signed through the returned object.
    payload: JSON.parse(bytes.toString('utf8')) as BundlePayload,
  };
}

const malformed = (m: string) => new TrustError('E_MALFORMED', `malformed bundle: ${m}`);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function checkScope(s: unknown): string | undefined {
  if (!isRecord(s)) return 'must be an object';
  for (const k of Object.keys(s)) if (k !== 'hosts' && k !== 'roles' && k !== 'labels') return `unknown key "${k}"`;
  for (const k of ['hosts', 'roles'] as const) {
    const v = s[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0)) {
      return `${k} must be a non-empty list of non-empty strings`;
    }
  }
  if (s.labels !== undefined && (!isRecord(s.labels) || !Object.values(s.labels).every((x) => typeof x === 'string'))) {
    return 'labels must map names to strings';
  }
  return undefined;
}

/** The policy language's selector semantics: every field given must match; {} matches every host. */
export function scopeIncludes(scope: BundleScope, host: HostIdentity): boolean {
  if (scope.hosts && !scope.hosts.some((h) => h === host.id || h === host.name)) return false;
  if (scope.roles && !(host.role !== undefined && scope.roles.includes(host.role))) return false;
  if (scope.labels) for (const [k, v] of Object.entries(scope.labels)) if (host.labels?.[k] !== v) return false;
  return true;
}

interface Envelope {
  keyId: string;
  signature: Buffer;
  payload: Buffer;
}

/** Reads the outer object only; nothing inside the payload is looked at here. */
function readEnvelope(data: Uint8Array | string): Envelope {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > MAX_BUNDLE_BYTES) throw malformed(`larger than ${MAX_BUNDLE_BYTES} bytes`);
  let text: string;
  try {
    text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw malformed('not UTF-8 text');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  if (!isRecord(doc)) throw malformed('not a JSON object');
  if (doc.format !== BUNDLE_FORMAT) throw malformed(`format is not "${BUNDLE_FORMAT}"`);
  for (const k of Object.keys(doc)) {
    if (!['format', 'keyId', 'signature', 'payload'].includes(k)) throw malformed(`unknown key "${k}"`);
  }
  if (typeof doc.payload !== 'string') throw malformed('no payload');
  const payload = decodeBase64Strict(doc.payload);
  if (!payload) throw malformed('payload is not base64');
  if (doc.signature === undefined || doc.signature === null || doc.signature === '') {
    throw new TrustError('E_UNSIGNED', 'bundle is not signed');
  }
  if (typeof doc.signature !== 'string') throw malformed('signature is not a string');
  const signature = decodeBase64Strict(doc.signature);
  if (signature?.length !== 64) throw malformed('signature is not 64 bytes of base64');
  if (typeof doc.keyId !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(doc.keyId)) throw malformed('keyId is not sha256:<hex>');
  return { keyId: doc.keyId, signature, payload };
}

/** Parses the (already authenticated) payload and checks its shape. */
function readPayload(bytes: Buffer, keyId: string): BundlePayload {
  let text: string;
  let p: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    p = JSON.parse(text);
  } catch {
    throw malformed('payload is not UTF-8 JSON');
  }
  if (!isRecord(p)) throw malformed('payload is not an object');
  // Canonical form is part of the format: one content, one byte string, one digest.
  let canonical: string;
  try {
    canonical = canonicalJson(p);
  } catch (e) {
    throw malformed(`payload: ${(e as Error).message}`);
  }
  if (canonical !== text) throw malformed('payload is not in canonical form');
  const keys = ['expiresAt', 'format', 'keyId', 'notBefore', 'policy', 'policyDigest', 'scope', 'sequence', 'version'];
  if (Object.keys(p).join(',') !== keys.join(',')) throw malformed(`payload keys must be exactly ${keys.join(', ')}`);
  if (p.format !== BUNDLE_FORMAT) throw malformed('payload format');
  if (p.keyId !== keyId) throw malformed('payload keyId differs from the signing key');
  if (!Number.isSafeInteger(p.sequence) || (p.sequence as number) < 1) throw malformed('sequence must be an integer >= 1');
  if (!Number.isSafeInteger(p.version) || (p.version as number) < 1) throw malformed('version must be an integer >= 1');
  for (const k of ['notBefore', 'expiresAt'] as const) {
    const v = p[k];
    if (typeof v !== 'string' || !ISO.test(v) || Number.isNaN(Date.parse(v))) throw malformed(`${k} is not an ISO 8601 UTC time`);
  }
  const scopeProblem = checkScope(p.scope);
  if (scopeProblem) throw malformed(`scope: ${scopeProblem}`);
  if (typeof p.policyDigest !== 'string') throw malformed('policyDigest');
  return p as unknown as BundlePayload;
}

/**
 * Verifies a bundle file. Order matters: the envelope is read, the signing key must be trusted,
 * and the signature must verify BEFORE the payload is parsed at all — unauthenticated bytes are
 * never interpreted. Then time window, scope, sequence (rollback) and the policy are checked.
 * Throws TrustError only.
 */
export function verifyBundle(data: Uint8Array | string, options: VerifyBundleOptions): VerifiedBundle {
  try {
    return verifyInner(data, options);
  } catch (e) {
    if (e instanceof TrustError) throw e;
    // Defence in depth: whatever else goes wrong on hostile input is still a typed refusal.
    throw malformed((e as Error)?.message ?? String(e));
  }
}

function verifyInner(data: Uint8Array | string, options: VerifyBundleOptions): VerifiedBundle {
  const env = readEnvelope(data);
  const key = toTrustedKeys(options.trustedKeys).find((k) => k.keyId === env.keyId);
  if (!key) throw new TrustError('E_UNKNOWN_KEY', `bundle is signed by ${env.keyId}, which is not a trusted key`);
  if (!verifyWithContext(BUNDLE_FORMAT, env.payload, env.signature, key.publicKey)) {
    throw new TrustError('E_BAD_SIGNATURE', 'bundle signature does not verify: the bundle was altered or not signed by this key');
  }
  const p = readPayload(env.payload, env.keyId);
  const digest = `sha256:${sha256Hex(env.payload)}`;

  const now = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const notBefore = Date.parse(p.notBefore);
  const expiresAt = Date.parse(p.expiresAt);
  if (now < notBefore) throw new TrustError('E_NOT_YET_VALID', `bundle ${p.sequence} is not valid before ${p.notBefore}`);
  if (now >= expiresAt) throw new TrustError('E_EXPIRED', `bundle ${p.sequence} expired at ${p.expiresAt}`);

  if (options.host && !scopeIncludes(p.scope, options.host)) {
    throw new TrustError(
      'E_OUT_OF_SCOPE',
      `bundle ${p.sequence} is not for host ${options.host.id} (scope ${canonicalJson(p.scope)})`,
    );
  }

  if (options.minSequence !== undefined && p.sequence < options.minSequence) {
    throw new TrustError(
      'E_ROLLED_BACK',
      `bundle sequence ${p.sequence} is lower than ${options.minSequence}: refused (rollback)`,
    );
  }
  const cur = options.current;
  if (cur) {
    if (p.sequence < cur.sequence) {
      throw new TrustError(
        'E_ROLLED_BACK',
        `bundle sequence ${p.sequence} is lower than the accepted ${cur.sequence}: refused (rollback)`,
      );
    }
    if (p.sequence === cur.sequence && digest !== cur.digest) {
      throw new TrustError(
        'E_ROLLED_BACK',
        `bundle sequence ${p.sequence} was already accepted with other content (${cur.digest}); a new policy needs a higher sequence`,
      );
    }
  }

  if (policyDigest(p.policy) !== p.policyDigest) throw malformed('policyDigest does not match the policy');
  let issues: ReturnType<typeof validatePolicy>;
  try {
    issues = validatePolicy(p.policy);
  } catch (e) {
    throw new TrustError('E_INVALID_POLICY', `policy cannot be validated: ${(e as Error).message}`);
  }
  if (issues.length > 0) {
    throw new TrustError(
      'E_INVALID_POLICY',
      `bundle ${p.sequence} carries an invalid policy: ${issues
        .slice(0, 5)
        .map((i) => `${i.path || '/'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return { ...p, digest };
}
