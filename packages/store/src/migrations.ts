/**
 * Versioned schema migrations, one list for both databases. The SQL is the same except for the
 * integer type of times and counters (SQLite INTEGER is 64-bit already; PostgreSQL needs BIGINT).
 * A migration is never edited once released: a change is a new entry.
 */
export interface Dialect {
  readonly big: string;
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (d: Dialect) => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: ({ big }) => [
      'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
      `CREATE TABLE groups (name TEXT PRIMARY KEY, mode TEXT NOT NULL, mode_since ${big} NOT NULL, audit_until ${big}, description TEXT)`,
      `CREATE TABLE hosts (id TEXT PRIMARY KEY, name TEXT, grp TEXT, role TEXT, labels TEXT NOT NULL DEFAULT '{}', os TEXT,
        agent INTEGER NOT NULL DEFAULT 0, last_seen ${big}, policy_version ${big}, bundle_sequence ${big}, created_at ${big} NOT NULL)`,
      'CREATE INDEX hosts_grp ON hosts (grp)',
      `CREATE TABLE api_tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, subject TEXT NOT NULL, role TEXT NOT NULL,
        host_id TEXT, created_at ${big} NOT NULL, expires_at ${big}, revoked_at ${big})`,
      `CREATE TABLE enrolment_tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, grp TEXT, role TEXT, labels TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at ${big} NOT NULL, expires_at ${big} NOT NULL, used_at ${big}, host_id TEXT)`,
      `CREATE TABLE policy_versions (name TEXT NOT NULL, version ${big} NOT NULL, document TEXT NOT NULL, digest TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at ${big} NOT NULL, comment TEXT, published_at ${big}, published_by TEXT,
        PRIMARY KEY (name, version))`,
      `CREATE TABLE bundles (sequence ${big} PRIMARY KEY, policy_name TEXT NOT NULL, policy_version ${big} NOT NULL,
        bundle TEXT NOT NULL, created_at ${big} NOT NULL)`,
      // review = 1 for denied, would-deny and technique-tagged events: the review queue's partial index.
      `CREATE TABLE events (id TEXT PRIMARY KEY, host_id TEXT NOT NULL, ts ${big} NOT NULL, received_at ${big} NOT NULL,
        effect TEXT, identity TEXT NOT NULL, sha256 TEXT, executable TEXT, rule_id TEXT, techniques TEXT NOT NULL,
        review INTEGER NOT NULL, doc TEXT NOT NULL)`,
      'CREATE INDEX events_ts ON events (ts, id)',
      'CREATE INDEX events_host_ts ON events (host_id, ts)',
      'CREATE INDEX events_review ON events (identity, ts) WHERE review = 1',
      `CREATE TABLE triage (identity TEXT PRIMARY KEY, state TEXT NOT NULL, note TEXT, updated_by TEXT NOT NULL,
        updated_at ${big} NOT NULL)`,
      `CREATE TABLE exceptions (id TEXT PRIMARY KEY, status TEXT NOT NULL, emergency INTEGER NOT NULL, scope TEXT NOT NULL,
        match TEXT NOT NULL, ticket TEXT NOT NULL, reason TEXT NOT NULL, requester TEXT NOT NULL, approver TEXT,
        created_at ${big} NOT NULL, approved_at ${big}, not_before ${big}, expires ${big} NOT NULL, approve_by ${big},
        closed_at ${big}, closed_by TEXT, close_reason TEXT)`,
      `CREATE TABLE windows (id TEXT PRIMARY KEY, ticket TEXT NOT NULL, scope TEXT NOT NULL, relax TEXT NOT NULL,
        start_at ${big} NOT NULL, end_at ${big} NOT NULL, reason TEXT, created_by TEXT NOT NULL, created_at ${big} NOT NULL,
        revoked_at ${big}, revoked_by TEXT)`,
      `CREATE TABLE blobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, host_id TEXT, name TEXT NOT NULL, sha256 TEXT NOT NULL,
        size ${big} NOT NULL, uploaded_by TEXT NOT NULL, created_at ${big} NOT NULL, content TEXT NOT NULL)`,
      'CREATE INDEX blobs_host ON blobs (kind, host_id)',
      `CREATE TABLE audit_log (seq ${big} PRIMARY KEY, at ${big} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT, record TEXT NOT NULL, hash TEXT NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'signed audit checkpoints',
    // A checkpoint seals the audit chain up to its seq with a signature (packages/trust).
    sql: ({ big }) => [
      `CREATE TABLE audit_checkpoints (seq ${big} PRIMARY KEY, record TEXT NOT NULL, created_at ${big} NOT NULL)`,
    ],
  },
];
