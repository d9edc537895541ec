import { createHash } from 'node:crypto';

/** JSON with object keys sorted recursively and no whitespace: equal documents, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The policy digest: what it decides, not its stored tests. */
export function policyDigest(policy: object): string {
  const { tests: _tests, ...rest } = policy as Record<string, unknown>;
  return sha256Hex(canonicalJson(rest));
}
