import { useState } from 'react';
import { ApiError, can, type Group, type LintFinding, type PolicyVersionView } from '../api.js';
import { ActionButton, Badge, errorText, Json, Loading, Page, short, Time, useApp, useLoad } from '../ui.js';

interface Published {
  name: string;
  version: number;
  sequence: number;
}
interface Change {
  op: 'add' | 'remove' | 'replace';
  path: string;
  from?: unknown;
  to?: unknown;
}
interface ReplayHit {
  hostId?: string;
  identity?: string;
  count?: number;
  [k: string]: unknown;
}
interface ReplayResult {
  scanned: number;
  denied: number;
  newlyAllowed: number;
  truncated: boolean;
  newlyDenied: ReplayHit[];
}

export function PoliciesPage({ query }: { query: URLSearchParams }) {
  const { api, navigate } = useApp();
  const { data, error, loading, reload } = useLoad(
    () => api<{ versions: PolicyVersionView[]; published: Published | null }>('GET', '/v1/policies'),
    [],
  );
  const names = [...new Set((data?.versions ?? []).map((v) => v.name))];
  const name = query.get('name') ?? data?.published?.name ?? names[0] ?? '';
  const versions = (data?.versions ?? []).filter((v) => v.name === name).sort((a, b) => b.version - a.version);
  const selected = Number(query.get('version') ?? versions[0]?.version ?? 0);
  const go = (n: string, v?: number) => navigate(`/policies?name=${encodeURIComponent(n)}${v ? `&version=${v}` : ''}`);
  return (
    <Page title="Policies">
      <Loading error={error} loading={loading && !data} />
      {data?.published ? (
        <p>
          Published: <strong>{data.published.name}</strong> version {data.published.version} (bundle sequence{' '}
          {data.published.sequence}).
        </p>
      ) : data ? (
        <p className="warn">Nothing published yet: agents have no signed bundle.</p>
      ) : null}
      <AddPolicy
        onAdded={(n, v) => {
          reload();
          go(n, v);
        }}
      />
      {names.length > 1 ? (
        <label>
          Policy{' '}
          <select aria-label="Policy name" value={name} onChange={(e) => go(e.target.value)}>
            {names.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      ) : null}
      <div className="with-facets">
        <aside aria-label="Versions">
          <h2>Versions of {name || '—'}</h2>
          <ul className="versions">
            {versions.map((v) => (
              <li key={v.version}>
                <button
                  type="button"
                  className={`linkish ${v.version === selected ? 'on' : ''}`}
                  aria-pressed={v.version === selected}
                  aria-label={`Version ${v.version}`}
                  onClick={() => go(name, v.version)}
                >
                  v{v.version}
                </button>{' '}
                {v.publishedAt ? <Badge kind="ok">published</Badge> : null}
                {data?.published?.name === name && data.published.version === v.version ? <Badge kind="ok">current</Badge> : null}
                <div className="muted small">
                  {v.createdBy}, <Time iso={v.createdAt} />
                  {v.comment ? ` — ${v.comment}` : ''}
                </div>
              </li>
            ))}
          </ul>
        </aside>
        <div className="grow">
          {name && selected ? <Version name={name} version={selected} versions={versions} onChanged={reload} /> : null}
        </div>
      </div>
      <Promotion />
    </Page>
  );
}

function AddPolicy({ onAdded }: { onAdded: (name: string, version: number) => void }) {
  const { api, role, notify } = useApp();
  if (!can.addPolicy(role)) return null;
  return (
    <ActionButton
      label="Add policy version"
      title="Add a policy version"
      message={
        <p>Paste the policy as YAML or JSON. It is validated and stored as the next version of its name; it is not published.</p>
      }
      fields={[
        { name: 'text', label: 'Policy document (YAML or JSON)', type: 'textarea', required: true },
        { name: 'comment', label: 'Comment' },
      ]}
      confirmLabel="Add version"
      run={async (v) => {
        const r = await api<PolicyVersionView>('POST', '/v1/policies', {
          text: v.text,
          ...(v.comment ? { comment: v.comment } : {}),
        });
        notify(`Added ${r.name} version ${r.version}.`);
        onAdded(r.name, r.version);
      }}
    />
  );
}

function Version({
  name,
  version,
  versions,
  onChanged,
}: {
  name: string;
  version: number;
  versions: PolicyVersionView[];
  onChanged: () => void;
}) {
  const { api, role, notify } = useApp();
  const [tab, setTab] = useState<'document' | 'diff' | 'lint' | 'replay'>('document');
  const [against, setAgainst] = useState<number>(versions.find((v) => v.version < version)?.version ?? version);
  const [replay, setReplay] = useState<ReplayResult | null>(null);
  const [replayError, setReplayError] = useState<string | null>(null);
  const [replaying, setReplaying] = useState(false);
  const base = `/v1/policies/${encodeURIComponent(name)}/versions/${version}`;
  const doc = useLoad(() => api<PolicyVersionView & { document: unknown }>('GET', base), [base]);
  const lint = useLoad(() => api<{ findings: LintFinding[] }>('GET', `${base}/lint`), [base]);
  const diff = useLoad(
    () =>
      against === version
        ? Promise.resolve({ changes: [] as Change[] })
        : api<{ changes: Change[] }>('GET', `/v1/policies/${encodeURIComponent(name)}/diff?from=${against}&to=${version}`),
    [name, version, against],
  );
  const v = versions.find((x) => x.version === version);
  const findings = lint.data?.findings ?? [];
  const tabs = [
    ['document', 'Document'],
    ['diff', 'Diff'],
    ['lint', `Lint findings (${lint.data ? findings.length : '…'})`],
    ['replay', 'Replay'],
  ] as const;
  return (
    <div>
      <div className="page-head">
        <h2>
          {name} v{version}
        </h2>
        {can.publish(role) ? (
          <ActionButton
            label="Publish"
            ariaLabel={`Publish ${name} version ${version}`}
            title={`Publish ${name} version ${version}`}
            message={
              <>
                <p>
                  Signs a bundle with this version, the group modes, active exceptions and windows, under the next sequence
                  number. Agents pull it and refuse any lower sequence afterwards.
                </p>
                <p>
                  {findings.length} lint finding{findings.length === 1 ? '' : 's'}
                  {findings.some((f) => f.severity === 'high' || f.severity === 'critical')
                    ? ', including high severity: review them first.'
                    : '.'}
                </p>
              </>
            }
            confirmLabel="Publish and sign"
            run={async () => {
              const r = await api<{ sequence: number; digest: string }>('POST', `${base}/publish`);
              notify(`Published ${name} v${version} as bundle sequence ${r.sequence}.`);
              onChanged();
            }}
          />
        ) : null}
      </div>
      <p className="muted small">
        digest <span className="mono">{v ? short(v.digest, 24) : ''}</span>;{' '}
        {v?.publishedAt ? `published by ${v.publishedBy}` : 'not published'}
      </p>
      <div role="tablist" aria-label="Policy version views" className="tabs">
        {tabs.map(([k, label]) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={tab === k}
            className={tab === k ? 'on' : ''}
            onClick={() => setTab(k)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'document' ? (
          <>
            <Loading error={doc.error} loading={doc.loading} />
            {doc.data ? <p className="ok">Valid: stored versions passed validation when added.</p> : null}
            {doc.data ? <Json value={doc.data.document} label="Policy document" /> : null}
          </>
        ) : null}
        {tab === 'diff' ? (
          <>
            <label>
              Compare with version{' '}
              <select aria-label="Compare with version" value={against} onChange={(e) => setAgainst(Number(e.target.value))}>
                {versions.map((x) => (
                  <option key={x.version} value={x.version}>
                    v{x.version}
                  </option>
                ))}
              </select>
            </label>
            <Loading error={diff.error} loading={diff.loading} />
            {diff.data && diff.data.changes.length === 0 ? <p>No differences.</p> : null}
            <ul className="diff" aria-label="Differences">
              {(diff.data?.changes ?? []).map((c) => (
                <li key={`${c.op}${c.path}`} className={`diff-${c.op}`}>
                  <strong>{c.op === 'add' ? '+ added' : c.op === 'remove' ? '− removed' : '~ changed'}</strong>{' '}
                  <code>{c.path}</code>
                  {c.op !== 'add' ? <pre className="json from">{JSON.stringify(c.from, null, 2)}</pre> : null}
                  {c.op !== 'remove' ? <pre className="json to">{JSON.stringify(c.to, null, 2)}</pre> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {tab === 'lint' ? (
          <>
            <Loading error={lint.error} loading={lint.loading} />
            {lint.data && findings.length === 0 ? <p className="ok">No bypass-path findings.</p> : null}
            <table aria-label="Lint findings">
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>Finding</th>
                  <th>Techniques</th>
                  <th>Fix</th>
                </tr>
              </thead>
              <tbody>
                {findings.map((f, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: findings may repeat ids
                  <tr key={i}>
                    <td>
                      <Badge kind={`sev-${String(f.severity)}`}>{String(f.severity)}</Badge>
                    </td>
                    <td>
                      <strong>{String(f.title ?? f.id)}</strong>
                      <div>{String(f.message ?? '')}</div>
                      {f.location ? (
                        <div className="mono small">{JSON.stringify((f.location as { path?: string }).path ?? f.location)}</div>
                      ) : null}
                    </td>
                    <td>{Array.isArray(f.techniques) ? f.techniques.join(', ') : String(f.technique ?? '')}</td>
                    <td>{String(f.fix ?? '')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
        {tab === 'replay' ? (
          <>
            <p>
              Evaluates this version against the stored events: what it would newly deny compared with the published policy, per
              host and identity.
            </p>
            {can.replay(role) ? (
              <button
                type="button"
                className="primary"
                disabled={replaying}
                aria-label={`Replay ${name} version ${version} against stored events`}
                onClick={async () => {
                  setReplaying(true);
                  setReplayError(null);
                  try {
                    setReplay(await api<ReplayResult>('POST', '/v1/replay', { policy: { name, version } }));
                  } catch (e) {
                    setReplayError(errorText(e));
                  } finally {
                    setReplaying(false);
                  }
                }}
              >
                {replaying ? 'Replaying…' : 'Run replay'}
              </button>
            ) : (
              <p className="muted">Analysts and admins can run a replay.</p>
            )}
            {replayError ? (
              <p className="error" role="alert">
                {replayError}
              </p>
            ) : null}
            {replay ? (
              <div aria-live="polite">
                <p>
                  {replay.scanned} events replayed{replay.truncated ? ' (truncated)' : ''}: {replay.denied} denied,{' '}
                  {replay.newlyDenied.length} host/identity pairs newly denied, {replay.newlyAllowed} newly allowed.
                </p>
                <table aria-label="Newly denied">
                  <thead>
                    <tr>
                      <th>Host</th>
                      <th>Identity</th>
                      <th>Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    {replay.newlyDenied.map((h, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: hits are rows
                      <tr key={i}>
                        <td>{String(h.hostId ?? '')}</td>
                        <td className="mono">{short(String(h.identity ?? ''), 40)}</td>
                        <td className="mono small">{JSON.stringify({ ...h, hostId: undefined, identity: undefined })}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </>
        ) : null}
      </div>
    </div>
  );
}

interface Gate {
  gate: string;
  passed: boolean;
  detail: string;
}

function Promotion() {
  const { api, role, notify } = useApp();
  const { data, reload } = useLoad(() => api<{ groups: Group[] }>('GET', '/v1/groups'), []);
  const [gates, setGates] = useState<Record<string, Gate[]>>({});
  return (
    <section aria-labelledby="promo-h">
      <h2 id="promo-h">Groups and promotion gates</h2>
      <table aria-label="Groups">
        <thead>
          <tr>
            <th>Group</th>
            <th>Mode</th>
            <th>Since</th>
            <th>Audit period ends</th>
            <th>Promotion</th>
          </tr>
        </thead>
        <tbody>
          {(data?.groups ?? []).map((g) => (
            <tr key={g.name}>
              <td>{g.name}</td>
              <td>{g.mode}</td>
              <td>
                <Time iso={g.modeSince} />
              </td>
              <td>{g.auditUntil ? <Time iso={g.auditUntil} /> : '—'}</td>
              <td>
                {g.mode === 'audit' && can.promote(role) ? (
                  <ActionButton
                    label="Promote to enforce"
                    ariaLabel={`Promote group ${g.name} to enforce`}
                    title={`Promote ${g.name} to enforce`}
                    danger
                    message={
                      <p>
                        Checked by the server: audit period elapsed, no undecided would-deny, clean replay of the published policy
                        in enforce mode. If a gate fails nothing changes and the gates are listed.
                      </p>
                    }
                    confirmLabel="Promote"
                    run={async () => {
                      try {
                        const r = await api<{ gates: Gate[] }>('POST', `/v1/groups/${encodeURIComponent(g.name)}/promote`);
                        setGates({ ...gates, [g.name]: r.gates });
                        notify(`${g.name} is now enforcing.`);
                        reload();
                      } catch (e) {
                        if (e instanceof ApiError && Array.isArray(e.body.gates))
                          setGates({ ...gates, [g.name]: e.body.gates as Gate[] });
                        throw e;
                      }
                    }}
                  />
                ) : null}
                {gates[g.name] ? (
                  <ul className="gates" aria-label={`Promotion gates of ${g.name}`}>
                    {gates[g.name]!.map((x) => (
                      <li key={x.gate} className={x.passed ? 'ok' : 'error'}>
                        {x.passed ? '✓' : '✗'} {x.gate}: {x.detail}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </td>
            </tr>
          ))}
          {data && data.groups.length === 0 ? (
            <tr>
              <td colSpan={5}>No groups yet.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
