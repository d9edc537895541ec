// Shared by the tests: the example policy and a way to sign arbitrary payload bytes exactly as the
// documented format says (to build bundles signBundle itself would refuse to make).
import { type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Policy, parsePolicyText } from '@execguard/schema';
import { keyIdOf } from './index.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const examplePolicyFile = join(root, 'examples', 'policies', 'linux-gateway.yaml');

export function examplePolicy(): Policy {
  const r = parsePolicyText(readFileSync(examplePolicyFile, 'utf8'));
  if (!r.ok) throw new Error('example policy is invalid');
  return r.value;
}

export function envelopeFor(payloadText: string, key: KeyObject, keyId = keyIdOf(key)): string {
  const bytes = Buffer.from(payloadText, 'utf8');
  const sig = sign(null, Buffer.concat([Buffer.from('execguard-bundle/v1\n'), bytes]), key);
  return JSON.stringify({
    format: 'execguard-bundle/v1',
    keyId,
    signature: sig.toString('base64'),
    payload: bytes.toString('base64'),
  });
}

export function envelopeOf(text: string): { format: string; keyId: string; signature: string; payload: string } {
  return JSON.parse(text);
}

export const T0 = Date.parse('2030-01-01T00:00:00Z');
export const DAY = 86_400_000;
