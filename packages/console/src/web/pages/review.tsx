import { useState } from 'react';
import { can, type PolicyVersionView, type ReviewGroup, TRIAGE_STATES } from '../api.js';
import { ActionButton, Badge, Link, Loading, localInput, Page, short, Time, toIso, useApp, useLoad } from '../ui.js';

const SHA256 = /^[0-9a-f]{64}$/;

export function ReviewPage({ query }: { query: URLSearchParams }) {
  const { api, role, notify } = useApp();
  const [states, setStates] = useState(query.get('state') ?? 'new,investigating');
  const [effect, setEffect] = useState(query.get('effect') ?? '');
  const identity = query.get('identity') ?? '';
  const { data, error, loading, reload } = useLoad(async () => {
    const p = new URLSearchParams({ limit: '500' });
    if (states) p.set('state', states);
    if (effect) p.set('effect', effect);
    const [r, pol] = await Promise.all([
      api<{ groups: ReviewGroup[] }>('GET', `/v1/review?${p}`),
      api<{ versions: PolicyVersionView[]; published: { name: string } | null }>('GET', '/v1/policies'),
    ]);
    return { groups: r.groups, policies: [...new Set(pol.versions.map((v) => v.name))], published: pol.published?.name ?? null };
  }, [states, effect]);
  const groups = (data?.groups ?? []).filter((g) => !identity || g.identity === identity);
  const act = can.triage(role);
  return (
    <Page title="Review queue">
      <form className="filters" aria-label="Review filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          State
          <select aria-label="Triage state" value={states} onChange={(e) => setStates(e.target.value)}>
            <option value="new,investigating">awaiting a decision</option>
            <option value="">all</option>
            {TRIAGE_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Decision
          <select aria-label="Decision" value={effect} onChange={(e) => setEffect(e.target.value)}>
            <option value="">denied, would-deny or technique-tagged</option>
            <option value="would-deny">would-deny</option>
            <option value="denied">denied</option>
          </select>
        </label>
      </form>
      <Loading error={error} loading={loading} />
      {data && groups.length === 0 ? <p>Nothing to review.</p> : null}
      <ul className="review-list" aria-label="Identities to review">
        {groups.map((g) => (
          <li key={g.identity} className="card review-item" aria-label={`Identity ${g.executable ?? g.identity}`}>
            <div className="review-head">
              <h2 className="mono">{g.executable ?? short(g.identity, 40)}</h2>
              <Badge kind={`state-${g.state}`}>{g.state}</Badge>
            </div>
            <p className="mono small">{g.sha256 ? `sha256 ${g.sha256}` : `no hash reported: ${g.identity}`}</p>
            <p>
              {g.count} events on {g.hosts.length} host{g.hosts.length === 1 ? '' : 's'} ({g.hosts.join(', ')});{' '}
              {g.effects.map((e) => `${e.count} ${e.value}`).join(', ')}; techniques {g.techniques.join(', ') || '—'}; first seen{' '}
              <Time iso={g.firstSeen} />, last <Time iso={g.lastSeen} />.{' '}
              {g.firstSeenInWindow ? <Badge kind="warn">first seen inside maintenance window {g.firstSeenInWindow}</Badge> : null}
            </p>
            {g.note ? <p className="muted">Note: {g.note}</p> : null}
            <p>
              <Link to={`/events?identity=${encodeURIComponent(g.identity)}`}>Events of this identity</Link>
            </p>
            {act ? (
              <fieldset className="actions" aria-label={`Triage actions for ${g.executable ?? g.identity}`}>
                {g.sha256 && SHA256.test(g.identity) ? (
                  <>
                    <ActionButton
                      label="Approve into policy"
                      ariaLabel={`Approve ${g.executable ?? g.identity} into policy`}
                      title="Approve into a policy change"
                      message={
                        <p>
                          Adds an allow rule for sha256 <code>{short(g.identity, 24)}</code> as a new, unpublished policy version.
                          It takes effect once an admin publishes that version.
                        </p>
                      }
                      fields={[
                        {
                          name: 'policy',
                          label: 'Policy',
                          type: 'select',
                          required: true,
                          initial: data?.published ?? data?.policies[0] ?? '',
                          options: (data?.policies ?? []).map((p) => ({ value: p, label: p })),
                        },
                        { name: 'note', label: 'Note', type: 'textarea' },
                      ]}
                      confirmLabel="Approve into policy"
                      run={async (v) => {
                        const r = await api<{ policy: string; version: number }>('POST', '/v1/review/approve', {
                          identity: g.identity,
                          policy: v.policy,
                          ...(v.note ? { note: v.note } : {}),
                        });
                        notify(`Policy ${r.policy} version ${r.version} created; publish it on the Policies page.`);
                        reload();
                      }}
                    />
                    <ActionButton
                      label="Request exception"
                      ariaLabel={`Request exception for ${g.executable ?? g.identity}`}
                      title="Request an exception"
                      message={
                        <p>
                          Allows this program on {g.hosts.join(', ')} until the expiry, once an approver other than you approves
                          it.
                        </p>
                      }
                      fields={[
                        { name: 'ticket', label: 'Change ticket', required: true },
                        { name: 'reason', label: 'Reason', type: 'textarea', required: true },
                        {
                          name: 'expires',
                          label: 'Expires',
                          type: 'datetime-local',
                          initial: localInput(Date.now() + 30 * 86_400_000),
                          help: 'at most 365 days; default 90',
                        },
                        { name: 'hosts', label: 'Hosts (comma-separated)', initial: g.hosts.join(',') },
                      ]}
                      confirmLabel="Request exception"
                      run={async (v) => {
                        const expires = toIso(v.expires ?? '');
                        const hosts = (v.hosts ?? '')
                          .split(',')
                          .map((x) => x.trim())
                          .filter(Boolean);
                        const x = await api<{ id: string }>('POST', '/v1/review/request-exception', {
                          identity: g.identity,
                          ticket: v.ticket,
                          reason: v.reason,
                          ...(expires ? { expires } : {}),
                          ...(hosts.length ? { hosts } : {}),
                        });
                        notify(`Exception ${x.id} requested; an approver must approve it.`);
                        reload();
                      }}
                    />
                  </>
                ) : (
                  <span className="muted">No sha256: cannot be approved or excepted (a path alone is too weak).</span>
                )}
                <ActionButton
                  label="Mark malicious"
                  ariaLabel={`Mark ${g.executable ?? g.identity} malicious`}
                  title="Mark malicious"
                  danger
                  message={
                    <p>
                      Its denies are then expected and do not block promotion to enforce. Start incident response as your
                      procedure says.
                    </p>
                  }
                  fields={[{ name: 'note', label: 'Note', type: 'textarea' }]}
                  confirmLabel="Mark malicious"
                  run={async (v) => {
                    await api('POST', '/v1/review/mark-malicious', { identity: g.identity, ...(v.note ? { note: v.note } : {}) });
                    notify('Marked malicious.');
                    reload();
                  }}
                />
                <ActionButton
                  label="Set state…"
                  ariaLabel={`Set triage state of ${g.executable ?? g.identity}`}
                  title="Set triage state"
                  message={<p>Record where the review of this identity stands.</p>}
                  fields={[
                    {
                      name: 'state',
                      label: 'State',
                      type: 'select',
                      initial: 'investigating',
                      options: TRIAGE_STATES.map((s) => ({ value: s, label: s })),
                    },
                    { name: 'note', label: 'Note', type: 'textarea' },
                  ]}
                  confirmLabel="Set state"
                  run={async (v) => {
                    await api('POST', '/v1/review/triage', {
                      identity: g.identity,
                      state: v.state,
                      ...(v.note ? { note: v.note } : {}),
                    });
                    reload();
                  }}
                />
              </fieldset>
            ) : (
              <p className="muted">Your role ({role}) can view the queue; analysts and admins triage.</p>
            )}
          </li>
        ))}
      </ul>
    </Page>
  );
}
