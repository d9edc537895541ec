/**
 * The records the control server keeps, and the one Store interface both databases implement.
 * Times are epoch milliseconds everywhere (one representation, no time-zone questions between
 * SQLite and PostgreSQL); documents (policies, events, exception match/scope) are plain JSON values.
 */

export const ROLES = ['viewer', 'analyst', 'approver', 'admin', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export type Mode = 'learn' | 'audit' | 'enforce';

export interface Host {
  readonly id: string;
  readonly name: string | null;
  readonly group: string | null;
  readonly role: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly os: string | null;
  /** An agent enrolled for this host (hosts known only from uploaded logs have none). */
  readonly agent: boolean;
  readonly lastSeen: number | null;
  readonly policyVersionApplied: number | null;
  readonly bundleSequenceApplied: number | null;
  readonly createdAt: number;
}

export interface HostPatch {
  readonly name?: string | null;
  readonly group?: string | null;
  readonly role?: string | null;
  readonly labels?: Readonly<Record<string, string>>;
  readonly os?: string | null;
}

export interface Group {
  readonly name: string;
  readonly mode: Mode;
  /** When the group entered its current mode. */
  readonly modeSince: number;
  /** Earliest time the group may be promoted from audit to enforce. */
  readonly auditUntil: number | null;
  readonly description: string | null;
}

/** An API credential. Only the sha256 of the secret is stored. */
export interface ApiToken {
  readonly id: string;
  readonly hash: string;
  /** The person or agent the token belongs to: "different user" means a different subject. */
  readonly subject: string;
  readonly role: Role;
  /** Agent tokens are scoped to their host. */
  readonly hostId: string | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

export interface EnrolmentToken {
  readonly id: string;
  readonly hash: string;
  readonly group: string | null;
  readonly role: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  readonly hostId: string | null;
}

export interface PolicyVersion {
  readonly name: string;
  readonly version: number;
  /** The validated policy document. */
  readonly document: unknown;
  readonly digest: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly comment: string | null;
  readonly publishedAt: number | null;
  readonly publishedBy: string | null;
}

/** A signed bundle as served to agents; the sequence is monotonic across all publications. */
export interface BundleRecord {
  readonly sequence: number;
  readonly policyName: string;
  readonly policyVersion: number;
  /** The signed bundle, serialised as packages/trust produces it. */
  readonly bundle: string;
  readonly createdAt: number;
}

export type Effect = 'allowed' | 'denied' | 'would-deny';

/** An execution event as stored: indexed columns plus the whole ECS document. */
export interface StoredEvent {
  readonly id: string;
  readonly hostId: string;
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly effect: Effect | null;
  /** What the review queue groups by: the program's sha256 when known, else its path. */
  readonly identity: string;
  readonly sha256: string | null;
  readonly executable: string | null;
  readonly ruleId: string | null;
  readonly techniques: readonly string[];
  /** Also put it in the review queue (e.g. allowed only because a maintenance window relaxed the policy). */
  readonly review?: boolean;
  readonly document: unknown;
}

export interface EventFilter {
  readonly hostIds?: readonly string[];
  readonly effects?: readonly Effect[];
  readonly identity?: string;
  readonly technique?: string;
  readonly ruleId?: string;
  /** Inclusive lower and exclusive upper bound on the event timestamp. */
  readonly since?: number;
  readonly until?: number;
}

export interface EventQuery extends EventFilter {
  readonly limit: number;
  /** Events are returned newest first; pass the previous page's cursor to continue. */
  readonly cursor?: string;
}

/** Event counts per time bucket and effect: the console's chart, one query instead of one per bucket. */
export interface TimelineQuery extends EventFilter {
  readonly since: number;
  readonly until: number;
  /** Bucket width in milliseconds; buckets start at `since`. */
  readonly bucketMs: number;
}

export interface TimelineCount {
  /** The bucket's start (epoch ms). Buckets without events are absent. */
  readonly start: number;
  /** The event's effect, `none` when it carries no decision. */
  readonly effect: string;
  readonly count: number;
}

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

export interface EventPage {
  readonly events: readonly StoredEvent[];
  readonly total: number;
  readonly facets: {
    readonly host: readonly FacetCount[];
    readonly effect: readonly FacetCount[];
    readonly technique: readonly FacetCount[];
  };
  readonly cursor: string | null;
}

export const TRIAGE_STATES = ['new', 'investigating', 'approved', 'exception-requested', 'malicious', 'dismissed'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];
/** States in which a would-deny still awaits a decision (they block promotion to enforce). */
export const UNDECIDED: readonly TriageState[] = ['new', 'investigating'];

export interface Triage {
  readonly identity: string;
  readonly state: TriageState;
  readonly note: string | null;
  readonly updatedBy: string;
  readonly updatedAt: number;
}

/** One review-queue entry: denied, would-deny or technique-tagged events with one identity. */
export interface ReviewGroup {
  readonly identity: string;
  readonly sha256: string | null;
  readonly executable: string | null;
  readonly count: number;
  readonly hosts: readonly string[];
  readonly effects: readonly FacetCount[];
  readonly techniques: readonly string[];
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly state: TriageState;
  readonly note: string | null;
}

export interface ReviewFilter {
  readonly hostIds?: readonly string[];
  readonly states?: readonly TriageState[];
  readonly effects?: readonly Effect[];
  readonly since?: number;
  readonly limit: number;
}

export type ExceptionStatus = 'requested' | 'active' | 'rejected' | 'revoked' | 'expired';

export interface ExceptionRecord {
  readonly id: string;
  readonly status: ExceptionStatus;
  readonly emergency: boolean;
  /** Selector and Match of the policy language (packages/schema). */
  readonly scope: unknown;
  readonly match: unknown;
  readonly ticket: string;
  readonly reason: string;
  readonly requester: string;
  readonly approver: string | null;
  readonly createdAt: number;
  readonly approvedAt: number | null;
  readonly notBefore: number | null;
  readonly expires: number;
  /** Emergency exceptions lapse at this time unless approved after the fact. */
  readonly approveBy: number | null;
  readonly closedAt: number | null;
  readonly closedBy: string | null;
  readonly closeReason: string | null;
}

export interface WindowRecord {
  readonly id: string;
  readonly ticket: string;
  readonly scope: unknown;
  readonly relax: unknown;
  readonly start: number;
  readonly end: number;
  readonly reason: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
}

export type BlobKind = 'baseline' | 'inventory';

export interface BlobMeta {
  readonly id: string;
  readonly kind: BlobKind;
  readonly hostId: string | null;
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  readonly uploadedBy: string;
  readonly createdAt: number;
}

/** One entry of the audit log; `hash`, `prev` and `record` are what packages/trust's chain computes. */
export interface AuditRow {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  /** The serialised chain entry (with its hash, previous hash and any checkpoint signature). */
  readonly record: string;
  readonly hash: string;
}

export interface AuditCheckpointRow {
  readonly seq: number;
  /** The serialised signed checkpoint. */
  readonly record: string;
  readonly createdAt: number;
}

/** A compare-and-set update: applied only while the record is still in `from`. */
export interface ExceptionTransition {
  readonly from: readonly ExceptionStatus[];
  readonly to: ExceptionStatus;
  readonly approver?: string;
  readonly approvedAt?: number;
  readonly closedAt?: number;
  readonly closedBy?: string;
  readonly closeReason?: string;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /** Applied migration versions, ascending. */
  migrations(): Promise<number[]>;

  getMeta(key: string): Promise<string | null>;
  /** Sets the key only if it is absent; returns whether it was set (first-start races). */
  initMeta(key: string, value: string): Promise<boolean>;
  setMeta(key: string, value: string): Promise<void>;

  // Hosts and groups
  getHost(id: string): Promise<Host | null>;
  listHosts(filter?: { group?: string }): Promise<Host[]>;
  /** Creates the host if absent (hosts seen in uploaded logs); never overwrites what is there. */
  ensureHosts(hosts: readonly { id: string; name?: string | null; os?: string | null }[], at: number): Promise<void>;
  /** Creates or updates a host with an enrolled agent. */
  upsertAgentHost(
    host: {
      id: string;
      name: string | null;
      os: string | null;
      group: string | null;
      role: string | null;
      labels: Readonly<Record<string, string>>;
    },
    at: number,
  ): Promise<Host>;
  updateHost(id: string, patch: HostPatch): Promise<Host | null>;
  touchHost(id: string, at: number, applied?: { policyVersion: number | null; bundleSequence: number | null }): Promise<void>;
  /** last-seen of many hosts in one transaction (ingest batches them; never moves a time back). */
  touchHosts(seen: readonly { id: string; at: number }[]): Promise<void>;
  getGroup(name: string): Promise<Group | null>;
  listGroups(): Promise<Group[]>;
  putGroup(group: Group): Promise<void>;

  // Credentials
  createToken(token: ApiToken): Promise<void>;
  findTokenByHash(hash: string): Promise<ApiToken | null>;
  listTokens(): Promise<ApiToken[]>;
  revokeToken(id: string, at: number): Promise<boolean>;
  createEnrolment(token: EnrolmentToken): Promise<void>;
  findEnrolmentByHash(hash: string): Promise<EnrolmentToken | null>;
  getEnrolment(id: string): Promise<EnrolmentToken | null>;
  /** Marks the enrolment token used for a host; false if it was already used (one-time). */
  consumeEnrolment(id: string, hostId: string, at: number): Promise<boolean>;

  // Policies and bundles
  /** Stores the next version of a policy (version = latest + 1, or 1); the document is stored as given. */
  addPolicyVersion(v: Omit<PolicyVersion, 'version' | 'publishedAt' | 'publishedBy'>, version: number): Promise<PolicyVersion>;
  latestPolicyVersion(name: string): Promise<number>;
  getPolicyVersion(name: string, version: number): Promise<PolicyVersion | null>;
  listPolicyVersions(name?: string): Promise<Omit<PolicyVersion, 'document'>[]>;
  markPublished(name: string, version: number, by: string, at: number): Promise<void>;
  /** Appends a bundle; its sequence must exceed every stored one (unique constraint). */
  addBundle(b: BundleRecord): Promise<void>;
  latestBundle(): Promise<BundleRecord | null>;

  // Events
  /** Inserts the events not already stored (by id) in one transaction; returns how many were new. */
  insertEvents(events: readonly StoredEvent[]): Promise<number>;
  getEvent(id: string): Promise<StoredEvent | null>;
  queryEvents(q: EventQuery): Promise<EventPage>;
  /** Counts per bucket and effect, oldest bucket first, effects by name within a bucket. */
  eventTimeline(q: TimelineQuery): Promise<TimelineCount[]>;
  /** Streams matching events oldest first in pages (replay). */
  scanEvents(filter: EventFilter, pageSize: number): AsyncIterable<StoredEvent[]>;
  /** Retention: deletes events older than the cutoff; returns how many. */
  deleteEventsBefore(cutoff: number): Promise<number>;

  // Review
  reviewQueue(f: ReviewFilter): Promise<ReviewGroup[]>;
  getTriage(identity: string): Promise<Triage | null>;
  setTriage(t: Triage): Promise<void>;

  // Exceptions and windows
  createException(e: ExceptionRecord): Promise<void>;
  getException(id: string): Promise<ExceptionRecord | null>;
  listExceptions(status?: readonly ExceptionStatus[]): Promise<ExceptionRecord[]>;
  transitionException(id: string, t: ExceptionTransition): Promise<ExceptionRecord | null>;
  createWindow(w: WindowRecord): Promise<void>;
  getWindow(id: string): Promise<WindowRecord | null>;
  listWindows(): Promise<WindowRecord[]>;
  revokeWindow(id: string, by: string, at: number): Promise<WindowRecord | null>;

  // Baselines and inventories
  putBlob(meta: BlobMeta, content: string): Promise<void>;
  getBlob(id: string): Promise<{ meta: BlobMeta; content: string } | null>;
  listBlobs(filter?: { kind?: BlobKind; hostId?: string }): Promise<BlobMeta[]>;

  // Audit log
  /** Appends an entry; fails (unique seq) if another writer appended the same seq first. */
  appendAudit(row: AuditRow): Promise<void>;
  lastAudit(): Promise<AuditRow | null>;
  listAudit(afterSeq: number, limit: number): Promise<AuditRow[]>;
  /** Stores a signed checkpoint over the chain up to `seq` (one per seq). */
  addAuditCheckpoint(c: AuditCheckpointRow): Promise<void>;
  listAuditCheckpoints(afterSeq: number, limit: number): Promise<AuditCheckpointRow[]>;
}
