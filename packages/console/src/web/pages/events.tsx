import { useState } from 'react';
import type { EventPage as EventsResponse, EventView, FacetCount } from '../api.js';
import { EffectBadge, Json, Link, Listing, Loading, Page, short, Time, toIso, useApp, useLoad } from '../ui.js';

/** Events seen in lists, so the event page opens without another query. */
export const eventCache = new Map<string, EventView>();

export function eventHref(e: EventView): string {
  return `/events/${encodeURIComponent(e.id)}?t=${encodeURIComponent(e.timestamp)}`;
}

const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((a, k) => (a && typeof a === 'object' ? (a as Record<string, unknown>)[k] : undefined), o);
const str = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(' ') : String(v));

export function EventTable({ events }: { events: EventView[] }) {
  for (const e of events) eventCache.set(e.id, e);
  return (
    <table aria-label="Events">
      <thead>
        <tr>
          <th>Time</th>
          <th>Host</th>
          <th>Decision</th>
          <th>Program</th>
          <th>Parent</th>
          <th>User</th>
          <th>Rule</th>
          <th>Techniques</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td>
              <Link to={eventHref(e)} label={`Event ${e.id}`}>
                <Time iso={e.timestamp} />
              </Link>
            </td>
            <td>{e.hostId}</td>
            <td>
              <EffectBadge effect={e.effect} />
            </td>
            <td className="mono" title={str(get(e.event, 'process.command_line')) || str(get(e.event, 'process.args'))}>
              {str(get(e.event, 'process.executable')) || str(get(e.event, 'process.name')) || short(e.identity)}
            </td>
            <td className="mono">
              {str(get(e.event, 'process.parent.name')) || str(get(e.event, 'process.parent.executable')) || '—'}
            </td>
            <td>{str(get(e.event, 'user.name')) || '—'}</td>
            <td>{e.ruleId ?? '—'}</td>
            <td>{e.techniques.join(', ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Facet({
  title,
  values,
  active,
  onPick,
}: {
  title: string;
  values: FacetCount[];
  active: string;
  onPick: (v: string) => void;
}) {
  return (
    <fieldset className="facet">
      <legend>{title}</legend>
      <ul>
        {values.map((f) => (
          <li key={f.value}>
            <button
              type="button"
              className={`linkish ${active.split(',').includes(f.value) ? 'on' : ''}`}
              aria-pressed={active.split(',').includes(f.value)}
              aria-label={`${title} ${f.value}: ${f.count} events`}
              onClick={() => onPick(active === f.value ? '' : f.value)}
            >
              {f.value} <span className="muted">{f.count}</span>
            </button>
          </li>
        ))}
        {values.length === 0 ? <li className="muted">none</li> : null}
      </ul>
    </fieldset>
  );
}

export function EventsPage({ query }: { query: URLSearchParams }) {
  const { api, navigate } = useApp();
  const f = {
    host: query.get('host') ?? '',
    effect: query.get('effect') ?? '',
    technique: query.get('technique') ?? '',
    identity: query.get('identity') ?? '',
    rule: query.get('rule') ?? '',
    since: query.get('since') ?? '',
    until: query.get('until') ?? '',
    parent: query.get('parent') ?? '',
  };
  const [draft, setDraft] = useState(f);
  const [pages, setPages] = useState<string[]>([]);
  const cursor = pages.at(-1);
  const key = JSON.stringify(f);
  const { data, error, loading } = useLoad(() => {
    const p = new URLSearchParams();
    for (const k of ['host', 'effect', 'technique', 'identity', 'rule'] as const) if (f[k]) p.set(k, f[k]);
    const since = toIso(f.since);
    const until = toIso(f.until);
    if (since) p.set('since', since);
    if (until) p.set('until', until);
    p.set('limit', '100');
    if (cursor) p.set('cursor', cursor);
    return api<EventsResponse>('GET', `/v1/events?${p}`);
  }, [key, cursor]);
  const apply = (next: typeof f) => {
    setPages([]);
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) p.set(k, v);
    navigate(`/events${p.size ? `?${p}` : ''}`);
  };
  // The API has no parent filter: applied to the loaded page.
  const rows = (data?.events ?? []).filter(
    (e) =>
      !f.parent ||
      `${str(get(e.event, 'process.parent.name'))} ${str(get(e.event, 'process.parent.executable'))}`.includes(f.parent),
  );
  return (
    <Page title="Events">
      <form
        className="filters"
        aria-label="Event filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        {(
          [
            ['host', 'Host ids (comma-separated)'],
            ['identity', 'Identity (sha256 or path)'],
            ['parent', 'Parent name or path'],
            ['rule', 'Rule id'],
          ] as const
        ).map(([k, label]) => (
          <label key={k}>
            {label}
            <input aria-label={label} value={draft[k]} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} />
          </label>
        ))}
        <label>
          Decision
          <select aria-label="Decision" value={draft.effect} onChange={(e) => setDraft({ ...draft, effect: e.target.value })}>
            <option value="">any</option>
            <option value="denied">denied (enforced)</option>
            <option value="would-deny">would-deny (audit)</option>
            <option value="denied,would-deny">denied or would-deny</option>
            <option value="allowed">allowed</option>
          </select>
        </label>
        <label>
          Technique
          <select
            aria-label="Technique"
            value={draft.technique}
            onChange={(e) => setDraft({ ...draft, technique: e.target.value })}
          >
            <option value="">any</option>
            {['T0807', 'T0834', 'T0849', 'T0853', 'T0863', 'T0871', 'T0894'].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            aria-label="From time"
            type="datetime-local"
            value={draft.since}
            onChange={(e) => setDraft({ ...draft, since: e.target.value })}
          />
        </label>
        <label>
          To
          <input
            aria-label="To time"
            type="datetime-local"
            value={draft.until}
            onChange={(e) => setDraft({ ...draft, until: e.target.value })}
          />
        </label>
        <div className="filter-buttons">
          <button type="submit" className="primary" aria-label="Apply filters">
            Apply
          </button>
          <button
            type="button"
            aria-label="Clear filters"
            onClick={() => {
              const empty = { host: '', effect: '', technique: '', identity: '', rule: '', since: '', until: '', parent: '' };
              setDraft(empty);
              apply(empty);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <div className="with-facets">
        <aside aria-label="Facets">
          <Facet
            title="Decision"
            values={data?.facets.effect ?? []}
            active={f.effect}
            onPick={(v) => apply({ ...f, effect: v })}
          />
          <Facet title="Host" values={data?.facets.host ?? []} active={f.host} onPick={(v) => apply({ ...f, host: v })} />
          <Facet
            title="Technique"
            values={data?.facets.technique ?? []}
            active={f.technique}
            onPick={(v) => apply({ ...f, technique: v })}
          />
        </aside>
        <div className="grow">
          <Loading error={error} loading={loading} />
          {data ? (
            <p aria-live="polite">
              {data.total} matching events{f.parent ? ` (${rows.length} on this page with parent "${f.parent}")` : ''}
            </p>
          ) : null}
          <EventTable events={rows} />
          <div className="pager">
            <button
              type="button"
              disabled={pages.length === 0}
              onClick={() => setPages(pages.slice(0, -1))}
              aria-label="Newer events"
            >
              ← Newer
            </button>
            <button
              type="button"
              disabled={!data?.cursor}
              onClick={() => data?.cursor && setPages([...pages, data.cursor])}
              aria-label="Older events"
            >
              Older →
            </button>
          </div>
        </div>
      </div>
    </Page>
  );
}

export function EventPage({ id, query }: { id: string; query: URLSearchParams }) {
  const { api } = useApp();
  const { data, error, loading } = useLoad(async () => {
    const cached = eventCache.get(id);
    if (cached) return cached;
    // No route returns one event by id: find it by host and exact timestamp.
    const t = query.get('t');
    const host = id.split('/')[0] ?? '';
    if (!t) throw new Error('event not in view; open it from a list');
    const until = new Date(Date.parse(t) + 1).toISOString();
    const page = await api<EventsResponse>(
      'GET',
      `/v1/events?host=${encodeURIComponent(host)}&since=${encodeURIComponent(t)}&until=${encodeURIComponent(until)}&limit=1000`,
    );
    const e = page.events.find((x) => x.id === id);
    if (!e) throw new Error(`event ${id} not found`);
    return e;
  }, [id]);
  if (!data)
    return (
      <Page title="Event">
        <Loading error={error} loading={loading} />
      </Page>
    );
  const d = get(data.event, 'execguard.decision') as Record<string, unknown> | undefined;
  const reasons = (Array.isArray(d?.reasons) ? d.reasons : []) as Record<string, unknown>[];
  const ev = data.event;
  return (
    <Page title={`Event on ${data.hostId}`}>
      <div className="cards">
        <div className="card">
          <h2>Decision</h2>
          <p>
            <EffectBadge effect={data.effect} />
          </p>
          {d ? (
            <dl>
              <dt>Verdict</dt>
              <dd>{str(d.verdict)}</dd>
              <dt>Decided by</dt>
              <dd>
                {str(d.decidedBy)} — rule <code>{str(d.ruleId)}</code>
              </dd>
              {d.exceptionId ? (
                <>
                  <dt>Exception</dt>
                  <dd>{str(d.exceptionId)}</dd>
                </>
              ) : null}
              {d.windowId ? (
                <>
                  <dt>Maintenance window</dt>
                  <dd>{str(d.windowId)}</dd>
                </>
              ) : null}
              {d.neverBlockId ? (
                <>
                  <dt>Never-block</dt>
                  <dd>{str(d.neverBlockId)}</dd>
                </>
              ) : null}
              <dt>Mode / fail mode</dt>
              <dd>
                {str(d.mode)} / {str(d.failMode)} (scope {str(d.scopeId)})
              </dd>
              <dt>Techniques</dt>
              <dd>{str(d.techniques) || '—'}</dd>
              <dt>Policy</dt>
              <dd className="mono">{JSON.stringify(d.policy ?? null)}</dd>
            </dl>
          ) : (
            <p className="muted">
              This record carries no ExecGuard decision (effect {data.effect ?? 'none'}, rule {data.ruleId ?? '—'}).
            </p>
          )}
          <h3>Reasons</h3>
          {reasons.length === 0 ? <p className="muted">none recorded</p> : null}
          <ol>
            {reasons.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: reasons have no id
              <li key={i}>
                <strong>{str(r.source)}</strong>: {str(r.message)}
                {r.fields && typeof r.fields === 'object' ? (
                  <ul className="mono">
                    {Object.entries(r.fields as Record<string, unknown>).map(([k, v]) => (
                      <li key={k}>
                        {k} = {JSON.stringify(v)}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ol>
          {Array.isArray(d?.trace) ? (
            <details>
              <summary>Evaluation trace</summary>
              <Json value={d.trace} label="Evaluation trace" />
            </details>
          ) : null}
        </div>
        <div className="card">
          <h2>Execution</h2>
          <dl>
            <dt>Time</dt>
            <dd>{data.timestamp}</dd>
            <dt>Host</dt>
            <dd>
              <Link to={`/hosts/${encodeURIComponent(data.hostId)}`}>{data.hostId}</Link>
            </dd>
            <dt>Program</dt>
            <dd className="mono">{str(get(ev, 'process.executable')) || str(get(ev, 'process.name'))}</dd>
            <dt>Command line</dt>
            <dd className="mono">{str(get(ev, 'process.command_line')) || str(get(ev, 'process.args'))}</dd>
            <dt>sha256</dt>
            <dd className="mono">{str(get(ev, 'process.hash.sha256')) || '—'}</dd>
            <dt>Parent</dt>
            <dd className="mono">{str(get(ev, 'process.parent.executable')) || str(get(ev, 'process.parent.name')) || '—'}</dd>
            <dt>User</dt>
            <dd>{str(get(ev, 'user.name')) || '—'}</dd>
            <dt>Source record</dt>
            <dd className="mono">
              {str(get(ev, 'event.module'))} {str(get(ev, 'event.dataset'))} {str(get(ev, 'log.file.path'))}
              {get(ev, 'log.file.line') !== undefined ? `:${str(get(ev, 'log.file.line'))}` : ''}{' '}
              {get(ev, 'winlog.record_id') !== undefined ? `record ${str(get(ev, 'winlog.record_id'))}` : ''}
            </dd>
          </dl>
          <p>
            <Link to={`/review?identity=${encodeURIComponent(data.identity)}`}>Review this identity</Link> ·{' '}
            <Link to={`/events?identity=${encodeURIComponent(data.identity)}`}>All its events</Link>
          </p>
        </div>
      </div>
      {get(ev, 'event.original') !== undefined ? (
        <>
          <h2>Original source record</h2>
          <Listing label="Original source record">{str(get(ev, 'event.original'))}</Listing>
        </>
      ) : null}
      <h2>Stored record</h2>
      <Json value={data} label="Raw stored event" />
    </Page>
  );
}
