import type { ExceptionView, Group, Host, ReviewGroup, Timeline } from '../api.js';
import { Link, Loading, Page, Time, useApp, useLoad } from '../ui.js';

const DAY = 86_400_000;
const DAYS = 14;

export interface Bucket {
  start: number;
  denied: number;
  wouldDeny: number;
}

/** Denies and would-denies per day, from one timeline query (every day, empty ones included). */
async function series(api: ReturnType<typeof useApp>['api'], now: number): Promise<Bucket[]> {
  const end = Math.floor(now / DAY) * DAY + DAY;
  const since = new Date(end - DAYS * DAY).toISOString();
  const t = await api<Timeline>(
    'GET',
    `/v1/events/timeline?effect=denied,would-deny&bucket=day&since=${since}&until=${new Date(end).toISOString()}`,
  );
  return t.buckets.map((b) => ({
    start: Date.parse(b.start),
    denied: b.counts.denied ?? 0,
    wouldDeny: b.counts['would-deny'] ?? 0,
  }));
}

export function Chart({ data }: { data: Bucket[] }) {
  const W = 640;
  const H = 180;
  const pad = { l: 36, r: 8, t: 10, b: 24 };
  const max = Math.max(1, ...data.map((d) => d.denied + d.wouldDeny));
  const bw = (W - pad.l - pad.r) / data.length;
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const total = data.reduce((a, d) => a + d.denied + d.wouldDeny, 0);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Denied and would-deny executions per day over the last ${data.length} days: ${total} in all`}
        width="100%"
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={W - pad.r} y1={y(max * f)} y2={y(max * f)} className="grid" />
            <text x={pad.l - 4} y={y(max * f) + 4} textAnchor="end" className="axis">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const x = pad.l + i * bw + 2;
          const label = new Date(d.start).toISOString().slice(5, 10);
          return (
            <g key={d.start}>
              <title>{`${label}: ${d.denied} denied, ${d.wouldDeny} would-deny`}</title>
              <rect x={x} width={bw - 4} y={y(d.denied)} height={y(0) - y(d.denied)} className="bar-denied" />
              <rect
                x={x}
                width={bw - 4}
                y={y(d.denied + d.wouldDeny)}
                height={y(d.denied) - y(d.denied + d.wouldDeny)}
                className="bar-would"
              />
              {i % 2 === 0 ? (
                <text x={x + (bw - 4) / 2} y={H - 6} textAnchor="middle" className="axis">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="key key-denied" /> denied (enforced) <span className="key key-would" /> would-deny (audit)
      </figcaption>
    </figure>
  );
}

export function OverviewPage() {
  const { api } = useApp();
  const { data, error, loading } = useLoad(async () => {
    const now = Date.now();
    const [hosts, groups, review, exceptions, buckets] = await Promise.all([
      api<{ hosts: Host[] }>('GET', '/v1/hosts'),
      api<{ groups: Group[] }>('GET', '/v1/groups'),
      api<{ groups: ReviewGroup[] }>('GET', '/v1/review?state=new,investigating&limit=1000'),
      api<{ exceptions: ExceptionView[] }>('GET', '/v1/exceptions?status=requested,active'),
      series(api, now),
    ]);
    return { now, hosts: hosts.hosts, groups: groups.groups, review: review.groups, exceptions: exceptions.exceptions, buckets };
  }, []);
  if (!data)
    return (
      <Page title="Overview">
        <Loading error={error} loading={loading} />
      </Page>
    );
  const modeOf = new Map(data.groups.map((g) => [g.name, g.mode]));
  const byMode = new Map<string, Host[]>();
  for (const h of data.hosts) {
    const m = h.group ? (modeOf.get(h.group) ?? 'policy default') : 'policy default';
    byMode.set(m, [...(byMode.get(m) ?? []), h]);
  }
  const stale = data.hosts.filter((h) => h.agent && (!h.lastSeen || data.now - Date.parse(h.lastSeen) > 3_600_000));
  const oldest = data.review.reduce<string | null>((a, g) => (a === null || g.firstSeen < a ? g.firstSeen : a), null);
  const soon = data.exceptions
    .filter((x) => x.status === 'active')
    .sort((a, b) => a.expires.localeCompare(b.expires))
    .slice(0, 5);
  const pending = data.exceptions.filter((x) => x.status === 'requested' || (x.emergency && !x.approver));
  return (
    <Page title="Overview">
      <div className="cards">
        <div className="card">
          <h2>Hosts by mode</h2>
          <table aria-label="Hosts by mode">
            <tbody>
              {[...byMode].map(([mode, hs]) => (
                <tr key={mode}>
                  <th scope="row">{mode}</th>
                  <td>{hs.length}</td>
                </tr>
              ))}
              {byMode.size === 0 ? (
                <tr>
                  <td>No hosts yet</td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <p>
            {data.hosts.length} hosts, {data.hosts.filter((h) => h.agent).length} with an agent;{' '}
            <span className={stale.length ? 'warn' : ''}>{stale.length} agents not seen in the last hour</span>.{' '}
            <Link to="/hosts">All hosts</Link>
          </p>
        </div>
        <div className="card">
          <h2>Review queue</h2>
          <p>
            <span className="big">{data.review.length}</span> identities awaiting a decision
            {oldest ? (
              <>
                , oldest first seen <Time iso={oldest} />
              </>
            ) : null}
            . <Link to="/review">Open the queue</Link>
          </p>
        </div>
        <div className="card">
          <h2>Exceptions</h2>
          <p>
            {pending.length} awaiting approval. <Link to="/exceptions">Exceptions and windows</Link>
          </p>
          <h3>Expiring soonest</h3>
          {soon.length === 0 ? <p className="muted">No active exceptions.</p> : null}
          <ul>
            {soon.map((x) => (
              <li key={x.id}>
                <Link to={`/exceptions#${x.id}`}>{x.ticket}</Link> expires <Time iso={x.expires} />
              </li>
            ))}
          </ul>
        </div>
      </div>
      <div className="card wide">
        <h2>Denies and would-denies, last 14 days</h2>
        <Chart data={data.buckets} />
      </div>
      <div className="card wide">
        <h2>Hosts seen least recently</h2>
        <table aria-label="Hosts seen least recently">
          <thead>
            <tr>
              <th>Host</th>
              <th>Group</th>
              <th>Mode</th>
              <th>Last seen</th>
              <th>Policy version</th>
            </tr>
          </thead>
          <tbody>
            {[...data.hosts]
              .sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''))
              .slice(0, 8)
              .map((h) => (
                <tr key={h.id}>
                  <td>
                    <Link to={`/hosts/${encodeURIComponent(h.id)}`}>{h.name ?? h.id}</Link>
                  </td>
                  <td>{h.group ?? '—'}</td>
                  <td>{h.group ? (modeOf.get(h.group) ?? '—') : 'policy default'}</td>
                  <td>
                    <Time iso={h.lastSeen} />
                  </td>
                  <td>{h.policyVersionApplied ?? '—'}</td>
                </tr>
              ))}
          </tbody>
        </table>
        <p className="muted">
          Self-test results are not yet reported to the server (no API); run `execguard agent selftest` on a host.
        </p>
      </div>
    </Page>
  );
}
