import type { ApiToken, Role, Store } from '@execguard/store';
import { HttpError } from './errors.js';
import { hashSecret, SECRET_PATTERN } from './secrets.js';

/** Who is calling: an API token's subject and role, or an unused enrolment token (role "enrolment"). */
export interface Principal {
  readonly subject: string;
  readonly role: Role | 'enrolment';
  /** The host an agent credential (or an enrolment token already bound to one) is limited to. */
  readonly hostId: string | null;
  readonly tokenId: string;
}

export type RouteRole = Principal['role'];

/**
 * Counts failed authentications per client address in a fixed window. Only failures count, so a
 * thousand agents behind one address are never throttled for succeeding; once over the limit every
 * attempt from that address is refused with 429 until the window ends, valid credential or not
 * (otherwise the limiter would still answer the guessing question).
 */
export class FailureLimiter {
  private readonly seen = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  blockedFor(key: string, now: number): number {
    const e = this.seen.get(key);
    if (!e || e.resetAt <= now) return 0;
    return e.count >= this.limit ? e.resetAt - now : 0;
  }
  fail(key: string, now: number): void {
    const e = this.seen.get(key);
    if (!e || e.resetAt <= now) {
      // Bounded memory under a spray from many addresses: expired entries go first.
      if (this.seen.size > 10_000) for (const [k, v] of this.seen) if (v.resetAt <= now) this.seen.delete(k);
      this.seen.set(key, { count: 1, resetAt: now + this.windowMs });
    } else e.count++;
  }
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/** 401 for a request without any credential: not a guess, so not counted by the failure limiter. */
export class MissingCredential extends HttpError {
  constructor() {
    super(401, 'unauthorized', 'missing Authorization: Bearer <token>');
  }
}

/** Resolves a bearer credential to its principal, or throws 401. The secret itself is never logged. */
export async function authenticate(store: Store, header: string | undefined, now: number): Promise<Principal> {
  if (header === undefined || header === '') throw new MissingCredential();
  const m = /^Bearer (\S+)$/.exec(header);
  if (!m) throw unauthorized('Authorization must be "Bearer <token>"');
  const secret = m[1]!;
  if (!SECRET_PATTERN.test(secret)) throw unauthorized('invalid token');
  const hash = hashSecret(secret);
  if (secret.startsWith('ege_')) {
    const e = await store.findEnrolmentByHash(hash);
    if (!e || e.usedAt !== null || e.expiresAt <= now) throw unauthorized('invalid, used or expired enrolment token');
    return { subject: `enrolment:${e.id}`, role: 'enrolment', hostId: null, tokenId: e.id };
  }
  const t: ApiToken | null = await store.findTokenByHash(hash);
  if (!t || t.revokedAt !== null || (t.expiresAt !== null && t.expiresAt <= now))
    throw unauthorized('invalid, revoked or expired token');
  return { subject: t.subject, role: t.role, hostId: t.hostId, tokenId: t.id };
}

export function authorize(p: Principal, roles: readonly RouteRole[], hostParam: string | undefined): void {
  if (!roles.includes(p.role))
    throw new HttpError(403, 'forbidden', `role ${p.role} may not use this route (needs ${roles.join(' or ')})`);
  // Agent credentials reach their own host only.
  if (p.role === 'agent' && hostParam !== undefined && hostParam !== p.hostId)
    throw new HttpError(403, 'forbidden', 'an agent credential reaches only its own host');
}
