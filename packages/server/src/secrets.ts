import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Credentials are 32 random bytes behind a prefix that says what they are (so a leaked one is
 * recognisable in logs and scanners): egt_ API token, ege_ one-time enrolment token. Only the
 * sha256 of the whole string is stored; with 256 bits of entropy a plain hash is enough.
 */
export type SecretKind = 'egt' | 'ege';

export function newSecret(kind: SecretKind): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export const SECRET_PATTERN = /^(egt|ege)_[A-Za-z0-9_-]{43}$/;

export const newId = (prefix: string) => `${prefix}-${randomUUID()}`;
