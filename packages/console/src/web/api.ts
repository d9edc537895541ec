// The console's only way to the server: the HTTP API under /v1 with a bearer token.

export type Role = 'viewer' | 'analyst' | 'approver' | 'admin';
export type Effect = 'allowed' | 'denied' | 'would-deny';

export interface Session {
  readonly token: string;
  readonly role: Role;
}

const KEY = 'execguard.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function request<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  if (!res.ok) {
    const b = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, String(b.error ?? res.status), String(b.message ?? res.statusText), b);
  }
  return json as T;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * The API has no "who am I" route, so the role is found from how the server answers requests that
 * fail validation (nothing is changed): 400 means the role may use the route, 403 that it may not.
 */
export async function detectRole(token: string): Promise<Role> {
  const probe = async (method: string, path: string, body?: unknown) => {
    try {
      await request(token, method, path, body);
      return true;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 400 || e.status === 404 || e.status === 409)) return true;
      if (e instanceof ApiError && e.status === 403) return false;
      throw e;
    }
  };
  // Readable by every human role; an agent or enrolment credential gets 403 here.
  try {
    await request(token, 'GET', '/v1/groups');
  } catch (e) {
    if (e instanceof ApiError && e.status === 403)
      throw new ApiError(403, 'forbidden', 'this credential is not a console user (agent or enrolment token)', {});
    throw e;
  }
  if (await probe('GET', '/v1/tokens')) return 'admin';
  if (await probe('POST', '/v1/exceptions/-/reject', {})) return 'approver';
  if (await probe('POST', '/v1/review/triage', {})) return 'analyst';
  return 'viewer';
}

export const can = {
  triage: (r: Role) => r === 'analyst' || r === 'admin',
  requestException: (r: Role) => r === 'analyst' || r === 'admin',
  decideException: (r: Role) => r === 'approver',
  revokeException: (r: Role) => r === 'approver' || r === 'admin',
  windows: (r: Role) => r === 'approver' || r === 'admin',
  addPolicy: (r: Role) => r === 'analyst' || r === 'admin',
  replay: (r: Role) => r === 'analyst' || r === 'admin',
  publish: (r: Role) => r === 'admin',
  promote: (r: Role) => r === 'admin',
  exportAudit: (r: Role) => r !== 'analyst',
};

// ---- shapes of the API's answers (as documented in /openapi.json) ----

export interface Host {
  id: string;
  name: string | null;
  group: string | null;
  role: string | null;
  labels: Record<string, string>;
  os: string | null;
  agent: boolean;
  lastSeen: string | null;
  policyVersionApplied: number | null;
  bundleSequenceApplied: number | null;
  createdAt: string;
}

export interface Group {
  name: string;
  mode: 'learn' | 'audit' | 'enforce';
  modeSince: string;
  auditUntil: string | null;
  description: string | null;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface EventView {
  id: string;
  hostId: string;
  timestamp: string;
  receivedAt: string;
  effect: Effect | null;
  identity: string;
  ruleId: string | null;
  techniques: string[];
  event: Record<string, unknown>;
}

/** GET /v1/events/timeline: counts per bucket and effect. */
export interface Timeline {
  readonly bucket: 'hour' | 'day';
  readonly buckets: readonly { readonly start: string; readonly counts: Readonly<Record<string, number>> }[];
}

export interface EventPage {
  total: number;
  facets: { host: FacetCount[]; effect: FacetCount[]; technique: FacetCount[] };
  cursor: string | null;
  events: EventView[];
}

export type TriageState = 'new' | 'investigating' | 'approved' | 'exception-requested' | 'malicious' | 'dismissed';
export const TRIAGE_STATES: TriageState[] = ['new', 'investigating', 'approved', 'exception-requested', 'malicious', 'dismissed'];

export interface ReviewGroup {
  identity: string;
  sha256: string | null;
  executable: string | null;
  count: number;
  hosts: string[];
  effects: FacetCount[];
  techniques: string[];
  firstSeen: string;
  lastSeen: string;
  state: TriageState;
  note: string | null;
  firstSeenInWindow: string | null;
}

export interface ExceptionView {
  id: string;
  status: 'requested' | 'active' | 'rejected' | 'revoked' | 'expired';
  emergency: boolean;
  scope: unknown;
  match: unknown;
  ticket: string;
  reason: string;
  requester: string;
  approver: string | null;
  createdAt: string;
  approvedAt: string | null;
  notBefore: string | null;
  expires: string;
  approveBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
}

export interface WindowView {
  id: string;
  ticket: string;
  scope: unknown;
  relax: Record<string, unknown>;
  start: string;
  end: string;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface PolicyVersionView {
  name: string;
  version: number;
  digest: string;
  createdBy: string;
  createdAt: string;
  comment: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
}

export interface LintFinding {
  id?: string;
  severity?: string;
  technique?: string;
  message?: string;
  fix?: string;
  [k: string]: unknown;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  hash: string;
  record: Record<string, unknown>;
}
