import { canonicalBytes, sha256Hex } from '../canonical.js';
import { TrustError } from '../errors.js';

/**
 * Audit log hash chain, format execguard-audit/v1. Pure: no storage, no clock unless none is given.
 * An entry's hash is hex SHA-256 over "execguard-audit-entry/v1\n" + the canonical JSON
 * (canonical.ts) of every other field: {action, actor, details, prevHash, seq, subject, time}.
 * The first entry has seq 1 and prevHash GENESIS_HASH (64 zeros).
 */
export const AUDIT_ENTRY_CONTEXT = 'execguard-audit-entry/v1';
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  readonly seq: number;
  /** ISO 8601 UTC with milliseconds. */
  readonly time: string;
  /** Who: a user name, token id, "agent:<host>", "system". */
  readonly actor: string;
  /** What, e.g. "policy.publish", "exception.approve", "token.create". */
  readonly action: string;
  /** What it was done to, e.g. "policy/linux-gateway@7". */
  readonly subject: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

/** The last entry's seq and hash; { seq: 0, hash: GENESIS_HASH } for an empty log. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export const GENESIS_HEAD: AuditHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

export interface AuditInput {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  /** JSON values only (canonicalised); default {}. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Default: now. */
  readonly time?: Date | string | number;
}

export function auditEntryHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = {
    seq: e.seq,
    time: e.time,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details: e.details,
    prevHash: e.prevHash,
  };
  return sha256Hex(Buffer.concat([Buffer.from(`${AUDIT_ENTRY_CONTEXT}\n`), canonicalBytes(body)]));
}

const bad = (m: string): never => {
  throw new TrustError('E_INVALID_INPUT', `audit entry: ${m}`);
};

/** The entry that follows `head`. The caller stores it and makes its (seq, hash) the new head. */
export function nextAuditEntry(head: AuditHead, input: AuditInput): AuditEntry {
  if (!Number.isSafeInteger(head.seq) || head.seq < 0 || !/^[0-9a-f]{64}$/.test(head.hash)) bad('invalid head');
  for (const k of ['actor', 'action', 'subject'] as const) {
    if (typeof input[k] !== 'string' || input[k].length === 0) bad(`${k} must be a non-empty string`);
  }
  const details = input.details ?? {};
  if (typeof details !== 'object' || details === null || Array.isArray(details)) bad('details must be an object');
  const t = input.time ?? Date.now();
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) bad('time is not a valid time');
  const body = {
    seq: head.seq + 1,
    time: new Date(ms).toISOString(),
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    // A canonical copy: later changes to the caller's object cannot diverge from the hash.
    details: JSON.parse(canonicalBytes(details).toString('utf8')) as Record<string, unknown>,
    prevHash: head.hash,
  };
  return { ...body, hash: auditEntryHash(body) };
}

/** In-memory chain state for a single writer: holds the head, computes each next entry. */
export class AuditChain {
  #head: AuditHead;

  constructor(head: AuditHead = GENESIS_HEAD) {
    this.#head = { seq: head.seq, hash: head.hash };
  }

  get head(): AuditHead {
    return this.#head;
  }

  /** Computes the next entry and advances the head. */
  append(input: AuditInput): AuditEntry {
    const entry = nextAuditEntry(this.#head, input);
    this.#head = { seq: entry.seq, hash: entry.hash };
    return entry;
  }
}
