import type { KeyObject } from 'node:crypto';
import { canonicalBytes } from '../canonical.js';
import { decodeBase64Strict } from '../encoding.js';
import { TrustError } from '../errors.js';
import { keyIdOf, signWithContext, type TrustedKey, verifyWithContext } from '../keys.js';
import type { AuditHead } from './chain.js';

/**
 * A signed checkpoint seals the chain up to `seq`: Ed25519 over
 * "execguard-audit-checkpoint/v1\n" + canonical JSON of {hash, keyId, seq, time}. Whoever can
 * rewrite the log cannot re-sign its checkpoints, so a recomputed chain no longer matches them.
 */
export const CHECKPOINT_CONTEXT = 'execguard-audit-checkpoint/v1';

export interface AuditCheckpoint {
  readonly type: 'checkpoint';
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  readonly keyId: string;
  /** base64 */
  readonly signature: string;
}

const signedBytes = (c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'time' | 'keyId'>) =>
  canonicalBytes({ seq: c.seq, hash: c.hash, time: c.time, keyId: c.keyId });

export function signCheckpoint(head: AuditHead, privateKey: KeyObject, time: Date | number = Date.now()): AuditCheckpoint {
  if (!Number.isSafeInteger(head.seq) || head.seq < 1 || !/^[0-9a-f]{64}$/.test(head.hash)) {
    throw new TrustError('E_INVALID_INPUT', 'checkpoint: the log has no entry to seal');
  }
  const body = { seq: head.seq, hash: head.hash, time: new Date(time).toISOString(), keyId: keyIdOf(privateKey) };
  const signature = signWithContext(CHECKPOINT_CONTEXT, signedBytes(body), privateKey).toString('base64');
  return { type: 'checkpoint', ...body, signature };
}

/** True when the checkpoint is well formed and signed by one of the keys. */
export function verifyCheckpoint(c: unknown, keys: readonly TrustedKey[]): c is AuditCheckpoint {
  if (typeof c !== 'object' || c === null) return false;
  const x = c as Record<string, unknown>;
  if (x.type !== 'checkpoint' || !Number.isSafeInteger(x.seq) || (x.seq as number) < 1) return false;
  if (typeof x.hash !== 'string' || typeof x.time !== 'string' || typeof x.keyId !== 'string') return false;
  if (typeof x.signature !== 'string') return false;
  const key = keys.find((k) => k.keyId === x.keyId);
  const sig = decodeBase64Strict(x.signature);
  if (!key || !sig) return false;
  try {
    return verifyWithContext(CHECKPOINT_CONTEXT, signedBytes(x as unknown as AuditCheckpoint), sig, key.publicKey);
  } catch {
    return false;
  }
}

/** Whether a checkpoint is due after appending entry `seq`, sealing every `every` entries. */
export const checkpointDue = (seq: number, every: number) => every > 0 && seq % every === 0;
