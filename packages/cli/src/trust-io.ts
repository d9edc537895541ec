import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isTrustError, readPrivateKeyFile, readPublicKeyFile, type TrustError } from '@execguard/trust';
import { EXIT, UserError } from './errors.js';

/**
 * Shared by `bundle` and `audit`: key loading and the mapping of trust errors to exit codes.
 * A verdict (bad signature, unknown key, rollback…) exits 1; input that cannot be read or is not
 * a bundle / export at all exits 2.
 */
const INPUT_CODES = new Set([
  'E_MALFORMED',
  'E_KEY',
  'E_KEY_PERMISSIONS',
  'E_INVALID_INPUT',
  'E_STATE',
  'E_LOCKED',
  'E_AUDIT_CORRUPT',
]);

export function exitCodeOf(e: TrustError): number {
  return INPUT_CODES.has(e.code) ? EXIT.USAGE : EXIT.FINDING;
}

/** Runs fn, turning TrustErrors about keys and files into user errors (exit 2, one line). */
export function keyed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isTrustError(e)) throw new UserError(`${e.message} [${e.code}]`);
    throw e;
  }
}

export const loadPublicKeys = (files: readonly string[]): KeyObject[] => files.map((f) => keyed(() => readPublicKeyFile(f)));
export const loadPrivateKey = (file: string): KeyObject => keyed(() => readPrivateKeyFile(file));

export function readBytes(file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function positiveInt(value: string, what: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new UserError(`${what}: "${value}" is not an integer >= 1`);
  }
  return Number(value);
}
