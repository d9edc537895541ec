// Row <-> record mapping shared by both databases (same column names and types by construction).
import type {
  ApiToken,
  AuditRow,
  BlobMeta,
  BundleRecord,
  EnrolmentToken,
  ExceptionRecord,
  Group,
  Host,
  PolicyVersion,
  StoredEvent,
  Triage,
  WindowRecord,
} from './types.js';

export type Row = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = (v: unknown): unknown => JSON.parse(String(v));

export const toHost = (r: Row): Host => ({
  id: str(r.id),
  name: optStr(r.name),
  group: optStr(r.grp),
  role: optStr(r.role),
  labels: json(r.labels) as Record<string, string>,
  os: optStr(r.os),
  agent: num(r.agent) === 1,
  lastSeen: optNum(r.last_seen),
  policyVersionApplied: optNum(r.policy_version),
  bundleSequenceApplied: optNum(r.bundle_sequence),
  createdAt: num(r.created_at),
});

export const toGroup = (r: Row): Group => ({
  name: str(r.name),
  mode: str(r.mode) as Group['mode'],
  modeSince: num(r.mode_since),
  auditUntil: optNum(r.audit_until),
  description: optStr(r.description),
});

export const toToken = (r: Row): ApiToken => ({
  id: str(r.id),
  hash: str(r.hash),
  subject: str(r.subject),
  role: str(r.role) as ApiToken['role'],
  hostId: optStr(r.host_id),
  createdAt: num(r.created_at),
  expiresAt: optNum(r.expires_at),
  revokedAt: optNum(r.revoked_at),
});

export const toEnrolment = (r: Row): EnrolmentToken => ({
  id: str(r.id),
  hash: str(r.hash),
  group: optStr(r.grp),
  role: optStr(r.role),
  labels: json(r.labels) as Record<string, string>,
  createdBy: str(r.created_by),
  createdAt: num(r.created_at),
  expiresAt: num(r.expires_at),
  usedAt: optNum(r.used_at),
  hostId: optStr(r.host_id),
});

export const toPolicyMeta = (r: Row): Omit<PolicyVersion, 'document'> => ({
  name: str(r.name),
  version: num(r.version),
  digest: str(r.digest),
  createdBy: str(r.created_by),
  createdAt: num(r.created_at),
  comment: optStr(r.comment),
  publishedAt: optNum(r.published_at),
  publishedBy: optStr(r.published_by),
});

export const toPolicy = (r: Row): PolicyVersion => ({ ...toPolicyMeta(r), document: json(r.document) });

export const toBundle = (r: Row): BundleRecord => ({
  sequence: num(r.sequence),
  policyName: str(r.policy_name),
  policyVersion: num(r.policy_version),
  bundle: str(r.bundle),
  createdAt: num(r.created_at),
});

export const toEvent = (r: Row): StoredEvent => ({
  id: str(r.id),
  hostId: str(r.host_id),
  timestamp: num(r.ts),
  receivedAt: num(r.received_at),
  effect: optStr(r.effect) as StoredEvent['effect'],
  identity: str(r.identity),
  sha256: optStr(r.sha256),
  executable: optStr(r.executable),
  ruleId: optStr(r.rule_id),
  techniques: json(r.techniques) as string[],
  document: json(r.doc),
});

/** The review flag stored with each event (see the events_review index). */
export const needsReview = (e: StoredEvent): number =>
  e.review === true || e.effect === 'denied' || e.effect === 'would-deny' || e.techniques.length > 0 ? 1 : 0;

/** Column values of an event in the order of EVENT_COLUMNS. */
export const EVENT_COLUMNS = [
  'id',
  'host_id',
  'ts',
  'received_at',
  'effect',
  'identity',
  'sha256',
  'executable',
  'rule_id',
  'techniques',
  'review',
  'doc',
] as const;
export const eventValues = (e: StoredEvent): unknown[] => [
  e.id,
  e.hostId,
  e.timestamp,
  e.receivedAt,
  e.effect,
  e.identity,
  e.sha256,
  e.executable,
  e.ruleId,
  JSON.stringify(e.techniques),
  needsReview(e),
  JSON.stringify(e.document),
];

export const toTriage = (r: Row): Triage => ({
  identity: str(r.identity),
  state: str(r.state) as Triage['state'],
  note: optStr(r.note),
  updatedBy: str(r.updated_by),
  updatedAt: num(r.updated_at),
});

export const toException = (r: Row): ExceptionRecord => ({
  id: str(r.id),
  status: str(r.status) as ExceptionRecord['status'],
  emergency: num(r.emergency) === 1,
  scope: json(r.scope),
  match: json(r.match),
  ticket: str(r.ticket),
  reason: str(r.reason),
  requester: str(r.requester),
  approver: optStr(r.approver),
  createdAt: num(r.created_at),
  approvedAt: optNum(r.approved_at),
  notBefore: optNum(r.not_before),
  expires: num(r.expires),
  approveBy: optNum(r.approve_by),
  closedAt: optNum(r.closed_at),
  closedBy: optStr(r.closed_by),
  closeReason: optStr(r.close_reason),
});

export const toWindow = (r: Row): WindowRecord => ({
  id: str(r.id),
  ticket: str(r.ticket),
  scope: json(r.scope),
  relax: json(r.relax),
  start: num(r.start_at),
  end: num(r.end_at),
  reason: optStr(r.reason),
  createdBy: str(r.created_by),
  createdAt: num(r.created_at),
  revokedAt: optNum(r.revoked_at),
  revokedBy: optStr(r.revoked_by),
});

export const toBlobMeta = (r: Row): BlobMeta => ({
  id: str(r.id),
  kind: str(r.kind) as BlobMeta['kind'],
  hostId: optStr(r.host_id),
  name: str(r.name),
  sha256: str(r.sha256),
  size: num(r.size),
  uploadedBy: str(r.uploaded_by),
  createdAt: num(r.created_at),
});

export const toAudit = (r: Row): AuditRow => ({
  seq: num(r.seq),
  at: num(r.at),
  actor: str(r.actor),
  action: str(r.action),
  target: optStr(r.target),
  record: str(r.record),
  hash: str(r.hash),
});
