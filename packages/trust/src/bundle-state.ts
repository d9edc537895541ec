import type { KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HostIdentity, type VerifiedBundle, verifyBundle } from './bundle.js';
import { TrustError } from './errors.js';
import { acquireLock, writeFileAtomic } from './fsutil.js';
import type { TrustedKey } from './keys.js';

/**
 * What a host remembers about bundles, in a state directory:
 *   bundle-state.json  the highest sequence accepted and its digest (the rollback floor)
 *   bundle.json        the accepted bundle as received (re-verifiable by anyone)
 *   policy.json        the installed policy (unless another path is given)
 *   .lock              held while importing
 */
export const STATE_FILE = 'bundle-state.json';
export const STATE_FORMAT = 'execguard-bundle-state/v1';

export interface BundleState {
  readonly format: typeof STATE_FORMAT;
  readonly sequence: number;
  readonly digest: string;
  readonly keyId: string;
  readonly version: number;
  readonly acceptedAt: string;
}

/** Undefined when nothing was accepted yet; E_STATE when the file is unreadable (never treated as "no state": that would re-open rollback). */
export function readBundleState(stateDir: string): BundleState | undefined {
  const path = join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TrustError('E_STATE', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let s: Partial<BundleState>;
  try {
    s = JSON.parse(text) as Partial<BundleState>;
  } catch {
    throw new TrustError('E_STATE', `${path}: not JSON; refusing to guess the accepted sequence`);
  }
  if (
    s?.format !== STATE_FORMAT ||
    !Number.isSafeInteger(s.sequence) ||
    typeof s.digest !== 'string' ||
    typeof s.keyId !== 'string' ||
    typeof s.acceptedAt !== 'string'
  ) {
    throw new TrustError('E_STATE', `${path}: not a ${STATE_FORMAT} file; refusing to guess the accepted sequence`);
  }
  return s as BundleState;
}

export interface ImportBundleOptions {
  readonly stateDir: string;
  readonly trustedKeys: readonly (KeyObject | TrustedKey)[];
  readonly now?: Date | number;
  readonly host?: HostIdentity;
  /** Where the policy is installed; default <stateDir>/policy.json. */
  readonly policyFile?: string;
}

export interface ImportResult {
  readonly bundle: VerifiedBundle;
  /** False when this exact bundle was already the accepted one (a re-delivery). */
  readonly changed: boolean;
  readonly previous: BundleState | undefined;
  readonly policyFile: string;
  readonly stateFile: string;
}

/**
 * Verifies a bundle against the remembered floor and installs it. The state file is written
 * first: if the process dies before the policy is installed, re-importing the same bundle is
 * still accepted (same sequence, same digest) while an older one is refused. The other order
 * would leave a newer policy installed under an older floor.
 */
export function importBundle(data: Uint8Array | string, options: ImportBundleOptions): ImportResult {
  mkdirSync(options.stateDir, { recursive: true, mode: 0o755 });
  const release = acquireLock(join(options.stateDir, '.lock'));
  try {
    const previous = readBundleState(options.stateDir);
    const bundle = verifyBundle(data, {
      trustedKeys: options.trustedKeys,
      ...(options.now !== undefined ? { now: options.now } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(previous ? { current: { sequence: previous.sequence, digest: previous.digest } } : {}),
    });
    const changed = previous?.digest !== bundle.digest;
    const stateFile = join(options.stateDir, STATE_FILE);
    const policyFile = options.policyFile ?? join(options.stateDir, 'policy.json');
    if (changed) {
      const state: BundleState = {
        format: STATE_FORMAT,
        sequence: bundle.sequence,
        digest: bundle.digest,
        keyId: bundle.keyId,
        version: bundle.version,
        acceptedAt: new Date(options.now ?? Date.now()).toISOString(),
      };
      writeFileAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    }
    // Also on a re-delivery: repairs an install interrupted after the state was written.
    writeFileAtomic(join(options.stateDir, 'bundle.json'), typeof data === 'string' ? data : Buffer.from(data));
    writeFileAtomic(policyFile, `${JSON.stringify(bundle.policy, null, 2)}\n`);
    return { bundle, changed, previous, policyFile, stateFile };
  } finally {
    release();
  }
}
