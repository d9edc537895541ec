import {
  type Row,
  toAudit,
  toBlobMeta,
  toBundle,
  toEnrolment,
  toEvent,
  toException,
  toGroup,
  toHost,
  toPolicy,
  toPolicyMeta,
  toToken,
  toTriage,
  toWindow,
} from './rows.js';
import type {
  ApiToken,
  AuditCheckpointRow,
  AuditRow,
  BlobKind,
  BlobMeta,
  BundleRecord,
  EnrolmentToken,
  EventFilter,
  EventPage,
  EventQuery,
  ExceptionRecord,
  ExceptionStatus,
  ExceptionTransition,
  FacetCount,
  Group,
  Host,
  HostPatch,
  PolicyVersion,
  ReviewFilter,
  ReviewGroup,
  Store,
  StoredEvent,
  TimelineCount,
  TimelineQuery,
  Triage,
  TriageState,
  WindowRecord,
} from './types.js';

/**
 * What the shared implementation needs from a database: statements with `?` placeholders (the
 * PostgreSQL adapter numbers them), rows as plain objects, and the number of rows a write changed.
 */
export interface Sql {
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** A WHERE clause under construction. */
class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }
  in(column: string, values: readonly unknown[] | undefined): this {
    if (values === undefined) return this;
    if (values.length === 0) return this.add('1 = 0');
    return this.add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values);
  }
  get sql(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`;
  }
}

function eventWhere(f: EventFilter, w = new Where()): Where {
  w.in('host_id', f.hostIds);
  w.in('effect', f.effects);
  if (f.identity !== undefined) w.add('identity = ?', f.identity);
  if (f.ruleId !== undefined) w.add('rule_id = ?', f.ruleId);
  // Technique ids are validated (T0 + 3 digits) by the caller; the quotes make the match exact.
  if (f.technique !== undefined) w.add('techniques LIKE ?', `%"${f.technique}"%`);
  if (f.since !== undefined) w.add('ts >= ?', f.since);
  if (f.until !== undefined) w.add('ts < ?', f.until);
  return w;
}

const encodeCursor = (ts: number, id: string) => Buffer.from(JSON.stringify([ts, id])).toString('base64url');
function decodeCursor(c: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new RangeError('invalid cursor');
}

const facets = (rows: Row[]): FacetCount[] =>
  rows
    .map((r) => ({ value: String(r.value), count: Number(r.count) }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));

/** Everything both databases do the same way; subclasses add connections, migrations and batch insert. */
export abstract class SqlStore implements Pick<Store, Exclude<keyof Store, 'kind' | 'close' | 'insertEvents' | 'migrations'>> {
  protected abstract readonly sql: Sql;
  /** SQL for (value, count) of techniques over events matching the WHERE clause. */
  protected abstract techniqueFacetSql(where: string): string;

  async getMeta(key: string): Promise<string | null> {
    const [r] = await this.sql.all('SELECT value FROM meta WHERE key = ?', [key]);
    return r ? String(r.value) : null;
  }
  async initMeta(key: string, value: string): Promise<boolean> {
    return (await this.sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value])) === 1;
  }
  async setMeta(key: string, value: string): Promise<void> {
    await this.sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }

  // Hosts and groups

  async getHost(id: string): Promise<Host | null> {
    const [r] = await this.sql.all('SELECT * FROM hosts WHERE id = ?', [id]);
    return r ? toHost(r) : null;
  }
  async listHosts(filter: { group?: string } = {}): Promise<Host[]> {
    const w = new Where();
    if (filter.group !== undefined) w.add('grp = ?', filter.group);
    return (await this.sql.all(`SELECT * FROM hosts ${w.sql} ORDER BY id`, w.params)).map(toHost);
  }
  async ensureHosts(hosts: readonly { id: string; name?: string | null; os?: string | null }[], at: number): Promise<void> {
    for (const h of hosts) {
      await this.sql.run(
        "INSERT INTO hosts (id, name, os, labels, agent, created_at) VALUES (?, ?, ?, '{}', 0, ?) ON CONFLICT (id) DO NOTHING",
        [h.id, h.name ?? null, h.os ?? null, at],
      );
    }
  }
  async upsertAgentHost(
    h: {
      id: string;
      name: string | null;
      os: string | null;
      group: string | null;
      role: string | null;
      labels: Readonly<Record<string, string>>;
    },
    at: number,
  ): Promise<Host> {
    await this.sql.run(
      `INSERT INTO hosts (id, name, os, grp, role, labels, agent, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, os = excluded.os, grp = excluded.grp, role = excluded.role,
         labels = excluded.labels, agent = 1, last_seen = excluded.last_seen`,
      [h.id, h.name, h.os, h.group, h.role, JSON.stringify(h.labels), at, at],
    );
    return (await this.getHost(h.id))!;
  }
  async updateHost(id: string, patch: HostPatch): Promise<Host | null> {
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      params.push(v);
    };
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.group !== undefined) set('grp', patch.group);
    if (patch.role !== undefined) set('role', patch.role);
    if (patch.os !== undefined) set('os', patch.os);
    if (patch.labels !== undefined) set('labels', JSON.stringify(patch.labels));
    if (sets.length > 0) await this.sql.run(`UPDATE hosts SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    return this.getHost(id);
  }
  async touchHost(
    id: string,
    at: number,
    applied?: { policyVersion: number | null; bundleSequence: number | null },
  ): Promise<void> {
    if (applied)
      await this.sql.run('UPDATE hosts SET last_seen = ?, policy_version = ?, bundle_sequence = ? WHERE id = ?', [
        at,
        applied.policyVersion,
        applied.bundleSequence,
        id,
      ]);
    else await this.sql.run('UPDATE hosts SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)', [at, id, at]);
  }
  async touchHosts(seen: readonly { id: string; at: number }[]): Promise<void> {
    for (const h of seen) await this.touchHost(h.id, h.at);
  }
  async getGroup(name: string): Promise<Group | null> {
    const [r] = await this.sql.all('SELECT * FROM groups WHERE name = ?', [name]);
    return r ? toGroup(r) : null;
  }
  async listGroups(): Promise<Group[]> {
    return (await this.sql.all('SELECT * FROM groups ORDER BY name')).map(toGroup);
  }
  async putGroup(g: Group): Promise<void> {
    await this.sql.run(
      `INSERT INTO groups (name, mode, mode_since, audit_until, description) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET mode = excluded.mode, mode_since = excluded.mode_since,
         audit_until = excluded.audit_until, description = excluded.description`,
      [g.name, g.mode, g.modeSince, g.auditUntil, g.description],
    );
  }

  // Credentials

  async createToken(t: ApiToken): Promise<void> {
    await this.sql.run(
      'INSERT INTO api_tokens (id, hash, subject, role, host_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [t.id, t.hash, t.subject, t.role, t.hostId, t.createdAt, t.expiresAt, t.revokedAt],
    );
  }
  async findTokenByHash(hash: string): Promise<ApiToken | null> {
    const [r] = await this.sql.all('SELECT * FROM api_tokens WHERE hash = ?', [hash]);
    return r ? toToken(r) : null;
  }
  async listTokens(): Promise<ApiToken[]> {
    return (await this.sql.all('SELECT * FROM api_tokens ORDER BY created_at, id')).map(toToken);
  }
  async revokeToken(id: string, at: number): Promise<boolean> {
    return (await this.sql.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])) === 1;
  }
  async createEnrolment(t: EnrolmentToken): Promise<void> {
    await this.sql.run(
      `INSERT INTO enrolment_tokens (id, hash, grp, role, labels, created_by, created_at, expires_at, used_at, host_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [t.id, t.hash, t.group, t.role, JSON.stringify(t.labels), t.createdBy, t.createdAt, t.expiresAt, t.usedAt, t.hostId],
    );
  }
  async findEnrolmentByHash(hash: string): Promise<EnrolmentToken | null> {
    const [r] = await this.sql.all('SELECT * FROM enrolment_tokens WHERE hash = ?', [hash]);
    return r ? toEnrolment(r) : null;
  }
  async getEnrolment(id: string): Promise<EnrolmentToken | null> {
    const [r] = await this.sql.all('SELECT * FROM enrolment_tokens WHERE id = ?', [id]);
    return r ? toEnrolment(r) : null;
  }
  async consumeEnrolment(id: string, hostId: string, at: number): Promise<boolean> {
    // One statement: of two concurrent enrolments with the same token exactly one changes the row.
    return (
      (await this.sql.run('UPDATE enrolment_tokens SET used_at = ?, host_id = ? WHERE id = ? AND used_at IS NULL', [
        at,
        hostId,
        id,
      ])) === 1
    );
  }

  // Policies and bundles

  async addPolicyVersion(
    v: Omit<PolicyVersion, 'version' | 'publishedAt' | 'publishedBy'>,
    version: number,
  ): Promise<PolicyVersion> {
    await this.sql.run(
      'INSERT INTO policy_versions (name, version, document, digest, created_by, created_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [v.name, version, JSON.stringify(v.document), v.digest, v.createdBy, v.createdAt, v.comment],
    );
    return (await this.getPolicyVersion(v.name, version))!;
  }
  async latestPolicyVersion(name: string): Promise<number> {
    const [r] = await this.sql.all('SELECT max(version) AS v FROM policy_versions WHERE name = ?', [name]);
    return r?.v === null || r?.v === undefined ? 0 : Number(r.v);
  }
  async getPolicyVersion(name: string, version: number): Promise<PolicyVersion | null> {
    const [r] = await this.sql.all('SELECT * FROM policy_versions WHERE name = ? AND version = ?', [name, version]);
    return r ? toPolicy(r) : null;
  }
  async listPolicyVersions(name?: string): Promise<Omit<PolicyVersion, 'document'>[]> {
    const w = new Where();
    if (name !== undefined) w.add('name = ?', name);
    const cols = 'name, version, digest, created_by, created_at, comment, published_at, published_by';
    return (await this.sql.all(`SELECT ${cols} FROM policy_versions ${w.sql} ORDER BY name, version`, w.params)).map(
      toPolicyMeta,
    );
  }
  async markPublished(name: string, version: number, by: string, at: number): Promise<void> {
    await this.sql.run('UPDATE policy_versions SET published_at = ?, published_by = ? WHERE name = ? AND version = ?', [
      at,
      by,
      name,
      version,
    ]);
  }
  async addBundle(b: BundleRecord): Promise<void> {
    await this.sql.run('INSERT INTO bundles (sequence, policy_name, policy_version, bundle, created_at) VALUES (?, ?, ?, ?, ?)', [
      b.sequence,
      b.policyName,
      b.policyVersion,
      b.bundle,
      b.createdAt,
    ]);
  }
  async latestBundle(): Promise<BundleRecord | null> {
    const [r] = await this.sql.all('SELECT * FROM bundles ORDER BY sequence DESC LIMIT 1');
    return r ? toBundle(r) : null;
  }

  // Events

  async getEvent(id: string): Promise<StoredEvent | null> {
    const [r] = await this.sql.all('SELECT * FROM events WHERE id = ?', [id]);
    return r ? toEvent(r) : null;
  }
  async queryEvents(q: EventQuery): Promise<EventPage> {
    const w = eventWhere(q);
    const [countRow] = await this.sql.all(`SELECT count(*) AS n FROM events ${w.sql}`, w.params);
    const host = await this.sql.all(`SELECT host_id AS value, count(*) AS count FROM events ${w.sql} GROUP BY host_id`, w.params);
    const effect = await this.sql.all(
      `SELECT coalesce(effect, 'none') AS value, count(*) AS count FROM events ${w.sql} GROUP BY coalesce(effect, 'none')`,
      w.params,
    );
    const technique = await this.sql.all(this.techniqueFacetSql(w.sql), w.params);
    const page = eventWhere(q);
    if (q.cursor !== undefined) {
      const [ts, id] = decodeCursor(q.cursor);
      page.add('(ts < ? OR (ts = ? AND id < ?))', ts, ts, id);
    }
    const rows = await this.sql.all(`SELECT * FROM events ${page.sql} ORDER BY ts DESC, id DESC LIMIT ?`, [
      ...page.params,
      q.limit,
    ]);
    const events = rows.map(toEvent);
    const last = events.at(-1);
    return {
      events,
      total: Number(countRow?.n ?? 0),
      facets: { host: facets(host), effect: facets(effect), technique: facets(technique) },
      cursor: last && events.length === q.limit ? encodeCursor(last.timestamp, last.id) : null,
    };
  }
  async eventTimeline(q: TimelineQuery): Promise<TimelineCount[]> {
    const w = eventWhere(q);
    // The bucket index, truncated (SQLite binds JS numbers as reals; ts >= since here, so truncation floors).
    const rows = await this.sql.all(
      `SELECT CAST((ts - ?) / ? AS BIGINT) AS b, coalesce(effect, 'none') AS effect, count(*) AS count FROM events ${w.sql} GROUP BY 1, 2 ORDER BY 1, 2`,
      [q.since, q.bucketMs, ...w.params],
    );
    return rows.map((r) => ({ start: q.since + Number(r.b) * q.bucketMs, effect: String(r.effect), count: Number(r.count) }));
  }
  async *scanEvents(filter: EventFilter, pageSize: number): AsyncIterable<StoredEvent[]> {
    let after: [number, string] | undefined;
    for (;;) {
      const w = eventWhere(filter);
      if (after) w.add('(ts > ? OR (ts = ? AND id > ?))', after[0], after[0], after[1]);
      const rows = (await this.sql.all(`SELECT * FROM events ${w.sql} ORDER BY ts, id LIMIT ?`, [...w.params, pageSize])).map(
        toEvent,
      );
      if (rows.length === 0) return;
      yield rows;
      const last = rows.at(-1)!;
      after = [last.timestamp, last.id];
      if (rows.length < pageSize) return;
    }
  }
  async deleteEventsBefore(cutoff: number): Promise<number> {
    return this.sql.run('DELETE FROM events WHERE ts < ?', [cutoff]);
  }

  // Review

  async reviewQueue(f: ReviewFilter): Promise<ReviewGroup[]> {
    const w = new Where().add('e.review = 1');
    w.in('e.host_id', f.hostIds);
    w.in('e.effect', f.effects);
    if (f.since !== undefined) w.add('e.ts >= ?', f.since);
    const having = new Where();
    having.in("coalesce(t.state, 'new')", f.states);
    const rows = await this.sql.all(
      `SELECT e.identity, max(e.sha256) AS sha256, max(e.executable) AS executable, count(*) AS n,
         min(e.ts) AS first_seen, max(e.ts) AS last_seen, coalesce(t.state, 'new') AS state, t.note AS note
       FROM events e LEFT JOIN triage t ON t.identity = e.identity
       ${w.sql}
       GROUP BY e.identity, t.state, t.note
       ${having.parts.length ? `HAVING ${having.parts.join(' AND ')}` : ''}
       ORDER BY n DESC, e.identity LIMIT ?`,
      [...w.params, ...having.params, f.limit],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => String(r.identity));
    const detail = new Where().add('review = 1');
    detail.in('identity', ids);
    detail.in('host_id', f.hostIds);
    detail.in('effect', f.effects);
    if (f.since !== undefined) detail.add('ts >= ?', f.since);
    const parts = await this.sql.all(
      `SELECT identity, host_id, coalesce(effect, 'none') AS effect, techniques, count(*) AS n FROM events ${detail.sql}
       GROUP BY identity, host_id, coalesce(effect, 'none'), techniques`,
      detail.params,
    );
    const by = new Map<string, { hosts: Set<string>; effects: Map<string, number>; techniques: Set<string> }>();
    for (const p of parts) {
      const id = String(p.identity);
      let g = by.get(id);
      if (!g) {
        g = { hosts: new Set(), effects: new Map(), techniques: new Set() };
        by.set(id, g);
      }
      g.hosts.add(String(p.host_id));
      g.effects.set(String(p.effect), (g.effects.get(String(p.effect)) ?? 0) + Number(p.n));
      for (const t of JSON.parse(String(p.techniques)) as string[]) g.techniques.add(t);
    }
    return rows.map((r) => {
      const g = by.get(String(r.identity));
      return {
        identity: String(r.identity),
        sha256: r.sha256 === null ? null : String(r.sha256),
        executable: r.executable === null ? null : String(r.executable),
        count: Number(r.n),
        hosts: [...(g?.hosts ?? [])].sort(),
        effects: facets([...(g?.effects ?? [])].map(([value, count]) => ({ value, count }))),
        techniques: [...(g?.techniques ?? [])].sort(),
        firstSeen: Number(r.first_seen),
        lastSeen: Number(r.last_seen),
        state: String(r.state) as TriageState,
        note: r.note === null || r.note === undefined ? null : String(r.note),
      };
    });
  }
  async getTriage(identity: string): Promise<Triage | null> {
    const [r] = await this.sql.all('SELECT * FROM triage WHERE identity = ?', [identity]);
    return r ? toTriage(r) : null;
  }
  async setTriage(t: Triage): Promise<void> {
    await this.sql.run(
      `INSERT INTO triage (identity, state, note, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (identity) DO UPDATE SET state = excluded.state, note = excluded.note,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [t.identity, t.state, t.note, t.updatedBy, t.updatedAt],
    );
  }

  // Exceptions and windows

  async createException(e: ExceptionRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO exceptions (id, status, emergency, scope, match, ticket, reason, requester, approver, created_at, approved_at,
         not_before, expires, approve_by, closed_at, closed_by, close_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        e.id,
        e.status,
        e.emergency ? 1 : 0,
        JSON.stringify(e.scope),
        JSON.stringify(e.match),
        e.ticket,
        e.reason,
        e.requester,
        e.approver,
        e.createdAt,
        e.approvedAt,
        e.notBefore,
        e.expires,
        e.approveBy,
        e.closedAt,
        e.closedBy,
        e.closeReason,
      ],
    );
  }
  async getException(id: string): Promise<ExceptionRecord | null> {
    const [r] = await this.sql.all('SELECT * FROM exceptions WHERE id = ?', [id]);
    return r ? toException(r) : null;
  }
  async listExceptions(status?: readonly ExceptionStatus[]): Promise<ExceptionRecord[]> {
    const w = new Where().in('status', status);
    return (await this.sql.all(`SELECT * FROM exceptions ${w.sql} ORDER BY created_at, id`, w.params)).map(toException);
  }
  async transitionException(id: string, t: ExceptionTransition): Promise<ExceptionRecord | null> {
    const sets = ['status = ?'];
    const params: unknown[] = [t.to];
    const set = (col: string, v: unknown) => {
      if (v === undefined) return;
      sets.push(`${col} = ?`);
      params.push(v);
    };
    set('approver', t.approver);
    set('approved_at', t.approvedAt);
    set('closed_at', t.closedAt);
    set('closed_by', t.closedBy);
    set('close_reason', t.closeReason);
    const w = new Where().add('id = ?', id).in('status', t.from);
    // Compare-and-set: a concurrent transition that got there first leaves this one changing nothing.
    const n = await this.sql.run(`UPDATE exceptions SET ${sets.join(', ')} ${w.sql}`, [...params, ...w.params]);
    return n === 1 ? this.getException(id) : null;
  }
  async createWindow(x: WindowRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO windows (id, ticket, scope, relax, start_at, end_at, reason, created_by, created_at, revoked_at, revoked_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        x.id,
        x.ticket,
        JSON.stringify(x.scope),
        JSON.stringify(x.relax),
        x.start,
        x.end,
        x.reason,
        x.createdBy,
        x.createdAt,
        x.revokedAt,
        x.revokedBy,
      ],
    );
  }
  async getWindow(id: string): Promise<WindowRecord | null> {
    const [r] = await this.sql.all('SELECT * FROM windows WHERE id = ?', [id]);
    return r ? toWindow(r) : null;
  }
  async listWindows(): Promise<WindowRecord[]> {
    return (await this.sql.all('SELECT * FROM windows ORDER BY start_at, id')).map(toWindow);
  }
  async revokeWindow(id: string, by: string, at: number): Promise<WindowRecord | null> {
    const n = await this.sql.run('UPDATE windows SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL', [
      at,
      by,
      id,
    ]);
    return n === 1 ? this.getWindow(id) : null;
  }

  // Blobs

  async putBlob(m: BlobMeta, content: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO blobs (id, kind, host_id, name, sha256, size, uploaded_by, created_at, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [m.id, m.kind, m.hostId, m.name, m.sha256, m.size, m.uploadedBy, m.createdAt, content],
    );
  }
  async getBlob(id: string): Promise<{ meta: BlobMeta; content: string } | null> {
    const [r] = await this.sql.all('SELECT * FROM blobs WHERE id = ?', [id]);
    return r ? { meta: toBlobMeta(r), content: String(r.content) } : null;
  }
  async listBlobs(filter: { kind?: BlobKind; hostId?: string } = {}): Promise<BlobMeta[]> {
    const w = new Where();
    if (filter.kind !== undefined) w.add('kind = ?', filter.kind);
    if (filter.hostId !== undefined) w.add('host_id = ?', filter.hostId);
    const cols = 'id, kind, host_id, name, sha256, size, uploaded_by, created_at';
    return (await this.sql.all(`SELECT ${cols} FROM blobs ${w.sql} ORDER BY created_at, id`, w.params)).map(toBlobMeta);
  }

  // Audit log

  async appendAudit(a: AuditRow): Promise<void> {
    await this.sql.run('INSERT INTO audit_log (seq, at, actor, action, target, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      a.seq,
      a.at,
      a.actor,
      a.action,
      a.target,
      a.record,
      a.hash,
    ]);
  }
  async lastAudit(): Promise<AuditRow | null> {
    const [r] = await this.sql.all('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1');
    return r ? toAudit(r) : null;
  }
  async listAudit(afterSeq: number, limit: number): Promise<AuditRow[]> {
    return (await this.sql.all('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [afterSeq, limit])).map(toAudit);
  }
  async addAuditCheckpoint(c: AuditCheckpointRow): Promise<void> {
    await this.sql.run('INSERT INTO audit_checkpoints (seq, record, created_at) VALUES (?, ?, ?)', [
      c.seq,
      c.record,
      c.createdAt,
    ]);
  }
  async listAuditCheckpoints(afterSeq: number, limit: number): Promise<AuditCheckpointRow[]> {
    const rows = await this.sql.all('SELECT * FROM audit_checkpoints WHERE seq > ? ORDER BY seq LIMIT ?', [afterSeq, limit]);
    return rows.map((r) => ({ seq: Number(r.seq), record: String(r.record), createdAt: Number(r.created_at) }));
  }
}
