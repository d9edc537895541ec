// Naive reference evaluator — §8 policy digest.
import { createHash } from 'node:crypto';
import type { Policy } from '@execguard/schema';

/** Canonical JSON: object keys sorted (code-unit order) at every depth, no whitespace, undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** sha256 (hex) of the canonical JSON of the policy without its `tests`. */
export function referenceDigest(policy: Policy): string {
  const { tests: _tests, ...rest } = policy;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}
