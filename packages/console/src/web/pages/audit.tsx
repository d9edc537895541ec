import { type AuditRow, can } from '../api.js';
import { Json, Loading, Page, Time, useApp, useLoad } from '../ui.js';

// The chain is re-verified here, in the browser, the way packages/trust defines it: each entry's hash
// is SHA-256 over "execguard-audit-entry/v1\n" + canonical JSON of {action, actor, details, prevHash,
// seq, subject, time}; the first entry follows 64 zeros. Checkpoints are Ed25519 signatures over
// "execguard-audit-checkpoint/v1\n" + canonical JSON of {hash, keyId, seq, time}.

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

const enc = new TextEncoder();
async function sha256Hex(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(s)));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export interface ChainStatus {
  ok: boolean;
  entries: number;
  problems: string[];
  checkpoints: { total: number; verified: number; note: string | null };
}

interface Entry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export async function verifyChain(rows: AuditRow[]): Promise<Omit<ChainStatus, 'checkpoints'>> {
  const problems: string[] = [];
  let prev = { seq: 0, hash: '0'.repeat(64) };
  for (const row of rows) {
    const e = row.record as unknown as Entry;
    if (e.seq !== prev.seq + 1)
      problems.push(`entry ${e.seq}: expected seq ${prev.seq + 1} (an entry is missing or out of order)`);
    if (e.prevHash !== prev.hash) problems.push(`entry ${e.seq}: does not follow entry ${prev.seq}`);
    const h = await sha256Hex(
      `execguard-audit-entry/v1\n${canonicalJson({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, subject: e.subject, details: e.details, prevHash: e.prevHash })}`,
    );
    if (h !== e.hash || h !== row.hash) problems.push(`entry ${e.seq}: content does not match its hash (modified)`);
    prev = { seq: e.seq, hash: e.hash };
  }
  return { ok: problems.length === 0, entries: rows.length, problems };
}

function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function verifyCheckpoints(
  text: string,
  hashes: Map<number, string>,
  publicKeyPem: string,
): Promise<ChainStatus['checkpoints']> {
  const cps = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.type === 'checkpoint');
  let key: CryptoKey | null = null;
  let note: string | null = null;
  try {
    key = await crypto.subtle.importKey('spki', pemToDer(publicKeyPem), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    note = 'this browser cannot check Ed25519 signatures; run `execguard audit verify` on the export';
  }
  let verified = 0;
  for (const c of cps) {
    if (hashes.get(c.seq as number) !== c.hash) continue;
    if (!key) continue;
    const body = `execguard-audit-checkpoint/v1\n${canonicalJson({ seq: c.seq, hash: c.hash, time: c.time, keyId: c.keyId })}`;
    const sig = Uint8Array.from(atob(String(c.signature)), (ch) => ch.charCodeAt(0));
    if (await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, enc.encode(body))) verified++;
  }
  return { total: cps.length, verified, note };
}

export function AuditPage() {
  const { api, role, session } = useApp();
  const { data, error, loading } = useLoad(async () => {
    const rows: AuditRow[] = [];
    for (let after = 0; ; ) {
      const page = await api<{ entries: AuditRow[] }>('GET', `/v1/audit?after=${after}&limit=10000`);
      rows.push(...page.entries);
      if (page.entries.length < 10000) break;
      after = page.entries.at(-1)!.seq;
    }
    const chain = await verifyChain(rows);
    let checkpoints: ChainStatus['checkpoints'] = {
      total: 0,
      verified: 0,
      note: 'your role cannot read the signed export (viewer, approver or admin can)',
    };
    if (can.exportAudit(role)) {
      const [key, res] = await Promise.all([
        api<{ publicKey: string; keyId: string }>('GET', '/v1/signing-key'),
        fetch('/v1/audit/export', { headers: { authorization: `Bearer ${session.token}` } }),
      ]);
      const text = await res.text();
      checkpoints = await verifyCheckpoints(text, new Map(rows.map((r) => [r.seq, r.hash])), key.publicKey);
    }
    return { rows, status: { ...chain, checkpoints } as ChainStatus };
  }, []);
  if (!data)
    return (
      <Page title="Audit log">
        <Loading error={error} loading={loading} />
      </Page>
    );
  const { status } = data;
  const cpOk = status.checkpoints.total > 0 && status.checkpoints.verified === status.checkpoints.total;
  return (
    <Page title="Audit log">
      <div className={`card wide ${status.ok ? 'status-ok' : 'status-bad'}`} role="status" aria-label="Chain verification status">
        <h2>{status.ok ? '✓ Hash chain intact' : '✗ Hash chain broken'}</h2>
        <p>
          {status.entries} entries re-hashed in this browser;{' '}
          {status.checkpoints.total > 0
            ? `${status.checkpoints.verified} of ${status.checkpoints.total} signed checkpoints verified${cpOk ? '' : ' — some did not verify'}`
            : 'no signed checkpoint checked'}
          {status.checkpoints.note ? ` (${status.checkpoints.note})` : ''}.
        </p>
        {status.problems.length ? (
          <ul className="error">
            {status.problems.slice(0, 20).map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        <p className="small muted">
          For evidence, export with GET /v1/audit/export and verify offline with `execguard audit verify`.
        </p>
      </div>
      <table aria-label="Audit entries">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Target</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {[...data.rows].reverse().map((r) => (
            <tr key={r.seq}>
              <td>{r.seq}</td>
              <td>
                <Time iso={r.at} />
              </td>
              <td>{r.actor}</td>
              <td className="mono">{r.action}</td>
              <td className="mono small">{r.target ?? '—'}</td>
              <td>
                <details>
                  <summary>details</summary>
                  <Json value={(r.record as { details?: unknown }).details ?? {}} label={`Details of entry ${r.seq}`} />
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
