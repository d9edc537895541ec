import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Policy } from '@execguard/schema';
import {
  type AuditCheckpoint,
  type AuditEntry,
  checkpointDue,
  GENESIS_HEAD,
  keyIdOf,
  nextAuditEntry,
  publicKeyPem,
  readPrivateKeyFile,
  type SigningKeyPair,
  signBundle,
  signCheckpoint,
  writeSigningKey,
} from '@execguard/trust';

/**
 * The server's use of packages/trust in one place: the signing key, signed bundles, the audit
 * hash chain and its signed checkpoints. Nothing cryptographic is implemented here.
 */
export interface SigningKeyOptions {
  /**
   * PKCS#8 PEM private key (mode 0600). Created with its .pub beside it on the first start when
   * absent; the name must then end in ".key".
   */
  readonly keyFile: string;
}

export type KeyHandle = SigningKeyPair;

/** Seal the audit chain with a signed checkpoint every this many entries. */
export const CHECKPOINT_EVERY = 100;

export const trust = {
  loadOrCreateKey(o: SigningKeyOptions): KeyHandle {
    if (!existsSync(o.keyFile)) {
      if (!o.keyFile.endsWith('.key'))
        throw new Error(`${o.keyFile}: no such key file (a generated key file must be named *.key)`);
      writeSigningKey(dirname(o.keyFile), basename(o.keyFile, '.key'));
    }
    const privateKey: KeyObject = readPrivateKeyFile(o.keyFile);
    return { privateKey, publicKey: createPublicKey(privateKey), keyId: keyIdOf(privateKey) };
  },
  publicKey(k: KeyHandle): string {
    return publicKeyPem(k.publicKey);
  },
  signBundle(k: KeyHandle, c: { policy: Policy; version: number; sequence: number; notBefore: number; expires: number }) {
    return signBundle(
      {
        policy: c.policy,
        version: c.version,
        sequence: c.sequence,
        scope: {},
        notBefore: new Date(c.notBefore),
        expiresAt: new Date(c.expires),
      },
      k.privateKey,
    );
  },
  bundleExpiry(text: string): number {
    const env = JSON.parse(text) as { payload: string };
    return Date.parse((JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as { expiresAt: string }).expiresAt);
  },
  nextEntry(
    prev: { seq: number; hash: string } | null,
    e: { at: number; actor: string; action: string; subject: string; details: Record<string, unknown> },
  ): AuditEntry {
    return nextAuditEntry(prev ?? GENESIS_HEAD, {
      time: e.at,
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      details: e.details,
    });
  },
  checkpointDue(seq: number): boolean {
    return checkpointDue(seq, CHECKPOINT_EVERY);
  },
  checkpoint(k: KeyHandle, head: { seq: number; hash: string }, at: number): AuditCheckpoint {
    return signCheckpoint(head, k.privateKey, at);
  },
};
