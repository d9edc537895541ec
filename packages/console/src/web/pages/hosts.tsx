import { useState } from 'react';
import type { EventPage, Group, Host } from '../api.js';
import { Json, Link, Loading, Page, Time, useApp, useLoad } from '../ui.js';
import { EventTable } from './events.js';

export function HostsPage() {
  const { api } = useApp();
  const [text, setText] = useState('');
  const [group, setGroup] = useState('');
  const [agent, setAgent] = useState('');
  const { data, error, loading } = useLoad(async () => {
    const [h, g] = await Promise.all([api<{ hosts: Host[] }>('GET', '/v1/hosts'), api<{ groups: Group[] }>('GET', '/v1/groups')]);
    return { hosts: h.hosts, groups: g.groups };
  }, []);
  const modeOf = new Map((data?.groups ?? []).map((g) => [g.name, g.mode]));
  const rows = (data?.hosts ?? []).filter(
    (h) =>
      (text === '' ||
        `${h.id} ${h.name ?? ''} ${h.role ?? ''} ${Object.entries(h.labels).join(' ')}`
          .toLowerCase()
          .includes(text.toLowerCase())) &&
      (group === '' || (h.group ?? '') === group) &&
      (agent === '' || String(h.agent) === agent),
  );
  return (
    <Page title="Hosts">
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Host filters">
        <label>
          Search{' '}
          <input
            aria-label="Search hosts"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="id, name, role, label"
          />
        </label>
        <label>
          Group
          <select aria-label="Filter by group" value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">any</option>
            {(data?.groups ?? []).map((g) => (
              <option key={g.name} value={g.name}>
                {g.name} ({g.mode})
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select aria-label="Filter by agent" value={agent} onChange={(e) => setAgent(e.target.value)}>
            <option value="">any</option>
            <option value="true">enrolled agent</option>
            <option value="false">logs only</option>
          </select>
        </label>
      </form>
      <Loading error={error} loading={loading && !data} />
      <table aria-label="Hosts">
        <thead>
          <tr>
            <th>Host</th>
            <th>OS</th>
            <th>Group</th>
            <th>Mode</th>
            <th>Role</th>
            <th>Agent</th>
            <th>Last seen</th>
            <th>Policy version</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={h.id}>
              <td>
                <Link to={`/hosts/${encodeURIComponent(h.id)}`}>{h.name && h.name !== h.id ? `${h.name} (${h.id})` : h.id}</Link>
              </td>
              <td>{h.os ?? '—'}</td>
              <td>{h.group ?? '—'}</td>
              <td>{h.group ? (modeOf.get(h.group) ?? '—') : 'policy default'}</td>
              <td>{h.role ?? '—'}</td>
              <td>{h.agent ? 'yes' : 'logs only'}</td>
              <td>
                <Time iso={h.lastSeen} />
              </td>
              <td>{h.policyVersionApplied ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{rows.length} shown</p>
    </Page>
  );
}

interface BlobMeta {
  id: string;
  name: string;
  sha256: string;
  size: number;
  uploadedBy: string;
  createdAt: string;
}

export function HostPage({ id }: { id: string }) {
  const { api } = useApp();
  const { data, error, loading } = useLoad(async () => {
    const e = encodeURIComponent(id);
    const [host, groups, inv, events, denies] = await Promise.all([
      api<Host>('GET', `/v1/hosts/${e}`),
      api<{ groups: Group[] }>('GET', '/v1/groups'),
      api<{ inventories: BlobMeta[] }>('GET', `/v1/hosts/${e}/inventories`),
      api<EventPage>('GET', `/v1/events?host=${e}&limit=25`),
      api<EventPage>('GET', `/v1/events?host=${e}&effect=denied,would-deny&limit=1`),
    ]);
    return { host, groups: groups.groups, inventories: inv.inventories, events, denies };
  }, [id]);
  if (!data)
    return (
      <Page title={`Host ${id}`}>
        <Loading error={error} loading={loading} />
      </Page>
    );
  const { host } = data;
  const g = data.groups.find((x) => x.name === host.group);
  return (
    <Page title={`Host ${host.name ?? host.id}`}>
      <div className="cards">
        <div className="card">
          <h2>Protection</h2>
          <dl>
            <dt>Id</dt>
            <dd>{host.id}</dd>
            <dt>Group</dt>
            <dd>{host.group ?? '—'}</dd>
            <dt>Mode</dt>
            <dd>
              {g ? g.mode : 'policy default'}
              {g?.auditUntil ? (
                <>
                  {' '}
                  (audit period ends <Time iso={g.auditUntil} />)
                </>
              ) : null}
            </dd>
            <dt>Agent</dt>
            <dd>{host.agent ? 'enrolled' : 'none (events from uploaded logs)'}</dd>
            <dt>Last seen</dt>
            <dd>
              <Time iso={host.lastSeen} />
            </dd>
            <dt>Policy version / bundle</dt>
            <dd>
              {host.policyVersionApplied ?? '—'} / {host.bundleSequenceApplied ?? '—'}
            </dd>
            <dt>Role, OS</dt>
            <dd>
              {host.role ?? '—'}, {host.os ?? '—'}
            </dd>
          </dl>
          <h3>Labels</h3>
          <Json value={host.labels} label="Host labels" />
        </div>
        <div className="card">
          <h2>Decisions</h2>
          <p>
            {data.events.total} events stored;{' '}
            {data.denies.facets.effect.map((f) => `${f.count} ${f.value}`).join(', ') || 'no denies or would-denies'}.
          </p>
          <p>
            <Link to={`/events?host=${encodeURIComponent(host.id)}&effect=denied,would-deny`}>
              Denies and would-denies of this host
            </Link>
          </p>
          <h3>Techniques seen</h3>
          <ul>
            {data.events.facets.technique.map((t) => (
              <li key={t.value}>
                <Link to={`/events?host=${encodeURIComponent(host.id)}&technique=${t.value}`}>{t.value}</Link>: {t.count}
              </li>
            ))}
          </ul>
        </div>
        <div className="card">
          <h2>Inventories</h2>
          {data.inventories.length === 0 ? <p className="muted">None uploaded (execguard scan, then upload).</p> : null}
          <ul>
            {data.inventories.map((b) => (
              <li key={b.id}>
                {b.name} — {b.size} bytes, by {b.uploadedBy}, <Time iso={b.createdAt} />
              </li>
            ))}
          </ul>
          <p className="muted">Baseline drift and self-test history are not served by the API yet.</p>
        </div>
      </div>
      <h2>Latest events</h2>
      <EventTable events={data.events.events} />
    </Page>
  );
}
