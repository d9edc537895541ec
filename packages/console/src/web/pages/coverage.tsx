import type { EventPage, PolicyVersionView } from '../api.js';
import { Badge, Link, Loading, Page, useApp, useLoad } from '../ui.js';

interface Analytic {
  id: string | null;
  platforms: string[];
  description: string;
  logSources: { component: string | null; name: string; channel: string }[];
}
interface AttackTechnique {
  id: string;
  name: string;
  url: string | null;
  modified: string;
  version: string | null;
  tactics: string[];
  platforms: string[];
  dataSources: string[];
  description: string;
  mitigatedByM0938: boolean;
  mitigations: { id: string; name: string; how: string }[];
  strategies: { id: string | null; name: string; analytics: Analytic[] }[];
  relationships: { type: string; direction: string; id: string | null; name: string | null; kind: string | null }[];
}
export interface CoverageData {
  attackAvailable: boolean;
  attackSource: string | null;
  release: string | null;
  releases: string[];
  mitigation: { id: string; name: string; description: string | null; url?: string | null };
  techniques: {
    id: string;
    attack: AttackTechnique | null;
    present: { release: string; present: boolean }[];
    changes: { from: string; to: string; changes: string[] }[];
  }[];
  execguard: { detectors: Record<string, string[]>; selftest: Record<string, string[]> };
}

interface Rule {
  id: string;
  action?: string;
  techniques?: string[];
}

export function CoveragePage() {
  const { api } = useApp();
  const { data, error, loading } = useLoad(async () => {
    const res = await fetch('/coverage.json');
    if (!res.ok) throw new Error(`coverage.json: ${res.status} (the console build writes it)`);
    const cov = (await res.json()) as CoverageData;
    const [events, pol] = await Promise.all([
      api<EventPage>('GET', '/v1/events?limit=1'),
      api<{ versions: PolicyVersionView[]; published: { name: string; version: number } | null }>('GET', '/v1/policies'),
    ]);
    let rules: Rule[] = [];
    if (pol.published) {
      const v = await api<{ document: { rules?: Rule[] } }>(
        'GET',
        `/v1/policies/${encodeURIComponent(pol.published.name)}/versions/${pol.published.version}`,
      );
      rules = v.document.rules ?? [];
    }
    return { cov, seen: events.facets.technique, published: pol.published, rules };
  }, []);
  if (!data)
    return (
      <Page title="ATT&CK for ICS coverage">
        <Loading error={error} loading={loading} />
      </Page>
    );
  const { cov } = data;
  return (
    <Page title="ATT&CK for ICS coverage">
      <div className="card wide">
        <h2>
          {cov.mitigation.id} {cov.mitigation.name}
        </h2>
        {cov.mitigation.description ? <p>{cov.mitigation.description}</p> : null}
        <p className="small muted">
          {cov.attackAvailable
            ? `ATT&CK for ICS release in use: ${cov.release} (compared with ${cov.releases.filter((r) => r !== cov.release).join(', ') || 'no earlier release'}). Source: ${cov.attackSource}.`
            : 'ATT&CK for ICS STIX data was not available when the console was built (set EXECGUARD_ATTACK_DIR): only ExecGuard coverage is shown.'}
        </p>
        <table aria-label="Coverage summary">
          <thead>
            <tr>
              <th>Technique</th>
              <th>Policy rules (published)</th>
              <th>Detectors</th>
              <th>Self-test canaries</th>
              <th>Events seen</th>
            </tr>
          </thead>
          <tbody>
            {cov.techniques.map((t) => {
              const rules = data.rules.filter((r) => r.techniques?.includes(t.id));
              const seen = data.seen.find((f) => f.value === t.id)?.count ?? 0;
              return (
                <tr key={t.id}>
                  <th scope="row">
                    <a
                      href={`#/coverage?t=${t.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        document.getElementById(`tech-${t.id}`)?.scrollIntoView();
                        document.getElementById(`tech-${t.id}-h`)?.focus();
                      }}
                    >
                      {t.id} {t.attack?.name ?? ''}
                    </a>
                  </th>
                  <td>{rules.length}</td>
                  <td>{(cov.execguard.detectors[t.id] ?? []).length}</td>
                  <td>{(cov.execguard.selftest[t.id] ?? []).length}</td>
                  <td>
                    <Link to={`/events?technique=${t.id}`}>{seen}</Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {!data.published ? <p className="warn">No policy published: rule coverage counts 0.</p> : null}
      </div>
      {cov.techniques.map((t) => {
        const a = t.attack;
        const rules = data.rules.filter((r) => r.techniques?.includes(t.id));
        return (
          <article key={t.id} id={`tech-${t.id}`} className="card wide technique" aria-labelledby={`tech-${t.id}-h`}>
            <h2 id={`tech-${t.id}-h`} tabIndex={-1}>
              {t.id} {a?.name ?? ''} {a?.mitigatedByM0938 ? <Badge kind="ok">mitigated by M0938</Badge> : null}
            </h2>
            <div className="two-col">
              <div>
                <h3>ATT&CK for ICS {cov.release ?? ''}</h3>
                {a ? (
                  <>
                    <p className="small muted">
                      Tactics: {a.tactics.join(', ') || '—'}; platforms: {a.platforms.join(', ') || '—'}; version{' '}
                      {a.version ?? '—'}, modified {a.modified.slice(0, 10)}
                      {a.url ? (
                        <>
                          {' '}
                          · <span className="mono">{a.url}</span>
                        </>
                      ) : null}
                    </p>
                    <details open>
                      <summary>Description</summary>
                      {a.description.split(/\n\n+/).map((p) => (
                        <p key={p.slice(0, 40)}>{p}</p>
                      ))}
                    </details>
                    <h4>Mitigations</h4>
                    <ul>
                      {a.mitigations.map((m) => (
                        <li key={m.id}>
                          <strong>
                            {m.id} {m.name}
                          </strong>
                          {m.id === 'M0938' && m.how ? `: ${m.how}` : ''}
                        </li>
                      ))}
                    </ul>
                    <h4>Telemetry needed and detection direction</h4>
                    {a.dataSources.length ? <p>Data sources: {a.dataSources.join('; ')}</p> : null}
                    {a.strategies.map((s) => (
                      <div key={s.id ?? s.name}>
                        <p>
                          <strong>{s.id}</strong> {s.name}
                        </p>
                        <ul>
                          {s.analytics.map((an) => (
                            <li key={an.id ?? an.description.slice(0, 20)}>
                              {an.id} ({an.platforms.join(', ')}): log sources{' '}
                              {an.logSources
                                .map(
                                  (l) => `${l.component ?? l.name}${l.channel && l.channel !== 'None' ? ` [${l.channel}]` : ''}`,
                                )
                                .join('; ') || '—'}
                              <details>
                                <summary>Analytic</summary>
                                <p>{an.description}</p>
                              </details>
                            </li>
                          ))}
                        </ul>
                      </div>
                    ))}
                    <details>
                      <summary>Other relationships ({a.relationships.length})</summary>
                      <ul>
                        {a.relationships.map((r, i) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: relationships may repeat
                          <li key={i}>
                            {r.direction === 'in'
                              ? `${r.kind ?? ''} ${r.id ?? ''} ${r.name ?? ''} ${r.type} this technique`
                              : `${r.type} ${r.kind ?? ''} ${r.id ?? ''} ${r.name ?? ''}`}
                          </li>
                        ))}
                      </ul>
                    </details>
                  </>
                ) : (
                  <p className="muted">Not in the ATT&CK data available to this build.</p>
                )}
                <h4>Across releases</h4>
                <ul>
                  {t.present.map((p) => (
                    <li key={p.release}>
                      {p.release}: {p.present ? 'present' : 'absent'}
                    </li>
                  ))}
                  {t.changes.map((c) => (
                    <li key={c.to}>
                      {c.from} → {c.to}: {c.changes.join(', ')}
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                <h3>ExecGuard coverage</h3>
                <h4>Published policy rules ({rules.length})</h4>
                <ul>
                  {rules.map((r) => (
                    <li key={r.id} className="mono">
                      {r.id} ({r.action ?? 'rule'})
                    </li>
                  ))}
                  {rules.length === 0 ? <li className="muted">none tagged with {t.id}</li> : null}
                </ul>
                <h4>Detectors</h4>
                <ul>
                  {(cov.execguard.detectors[t.id] ?? []).map((d) => (
                    <li key={d} className="mono">
                      {d}
                    </li>
                  ))}
                  {(cov.execguard.detectors[t.id] ?? []).length === 0 ? <li className="muted">none</li> : null}
                </ul>
                <h4>Self-test canaries (Linux agent)</h4>
                <ul>
                  {(cov.execguard.selftest[t.id] ?? []).map((d) => (
                    <li key={d}>{d}</li>
                  ))}
                  {(cov.execguard.selftest[t.id] ?? []).length === 0 ? <li className="muted">none</li> : null}
                </ul>
                <h4>Events seen</h4>
                <p>
                  <Link to={`/events?technique=${t.id}`}>
                    {data.seen.find((f) => f.value === t.id)?.count ?? 0} stored events tagged {t.id}
                  </Link>
                </p>
              </div>
            </div>
          </article>
        );
      })}
    </Page>
  );
}
