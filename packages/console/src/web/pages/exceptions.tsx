import { useState } from 'react';
import { can, type ExceptionView, type WindowView } from '../api.js';
import { ActionButton, Badge, Json, Loading, localInput, Page, relTime, Time, toIso, useApp, useLoad } from '../ui.js';

function expiry(x: ExceptionView, now: number): string {
  const left = Date.parse(x.expires) - now;
  if (left <= 0) return 'expired';
  const d = Math.floor(left / 86_400_000);
  const h = Math.floor((left % 86_400_000) / 3_600_000);
  return d > 0 ? `${d} d ${h} h left` : `${h} h ${Math.floor((left % 3_600_000) / 60_000)} min left`;
}

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function ExceptionsPage() {
  const { api, role, notify } = useApp();
  const [status, setStatus] = useState('requested,active');
  const { data, error, loading, reload } = useLoad(async () => {
    const [x, w] = await Promise.all([
      api<{ exceptions: ExceptionView[] }>('GET', `/v1/exceptions${status ? `?status=${status}` : ''}`),
      api<{ windows: WindowView[] }>('GET', '/v1/windows'),
    ]);
    return { exceptions: x.exceptions, windows: w.windows, now: Date.now() };
  }, [status]);
  const now = data?.now ?? Date.now();
  return (
    <Page title="Exceptions and maintenance windows">
      <section aria-labelledby="exc-h">
        <div className="page-head">
          <h2 id="exc-h">Exceptions</h2>
          {can.requestException(role) ? (
            <ActionButton
              label="Request exception"
              title="Request an exception"
              message={<p>Scoped to hosts, matched by sha256. A different user with the approver role must approve it.</p>}
              fields={[
                { name: 'hosts', label: 'Hosts (comma-separated ids)', required: true },
                { name: 'sha256', label: 'Program sha256 (comma-separated)', required: true },
                { name: 'ticket', label: 'Change ticket', required: true },
                { name: 'reason', label: 'Reason', type: 'textarea', required: true },
                { name: 'expires', label: 'Expires', type: 'datetime-local', initial: localInput(now + 30 * 86_400_000) },
                {
                  name: 'emergency',
                  label: 'Emergency',
                  type: 'select',
                  initial: 'no',
                  options: [
                    { value: 'no', label: 'no — active once approved' },
                    { value: 'yes', label: 'yes — active now, lapses unless approved within 24 h' },
                  ],
                },
              ]}
              confirmLabel="Request"
              run={async (v) => {
                const expires = toIso(v.expires ?? '');
                const x = await api<ExceptionView>('POST', '/v1/exceptions', {
                  scope: { hosts: list(v.hosts) },
                  match: { program: { sha256: list(v.sha256) } },
                  ticket: v.ticket,
                  reason: v.reason,
                  ...(expires ? { expires } : {}),
                  ...(v.emergency === 'yes' ? { emergency: true } : {}),
                });
                notify(`Exception ${x.id} ${x.status}.`);
                reload();
              }}
            />
          ) : null}
        </div>
        <label>
          Status{' '}
          <select aria-label="Exception status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="requested,active">requested or active</option>
            <option value="requested">requested</option>
            <option value="active">active</option>
            <option value="">all</option>
            <option value="rejected,revoked,expired">closed</option>
          </select>
        </label>
        <Loading error={error} loading={loading && !data} />
        <table aria-label="Exceptions">
          <thead>
            <tr>
              <th>Ticket</th>
              <th>Status</th>
              <th>Scope and match</th>
              <th>Requester → approver</th>
              <th>Expiry</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {(data?.exceptions ?? []).map((x) => (
              <tr key={x.id} id={x.id} aria-label={`Exception ${x.ticket}`}>
                <td>
                  <strong>{x.ticket}</strong>
                  <div className="muted small">{x.id}</div>
                  <div>{x.reason}</div>
                </td>
                <td>
                  <Badge kind={`x-${x.status}`}>{x.status}</Badge>
                  {x.emergency ? <Badge kind="warn">emergency</Badge> : null}
                  {x.emergency && !x.approver && x.approveBy ? (
                    <div className="warn small">approve by {relTime(x.approveBy, now)}</div>
                  ) : null}
                  {x.closeReason ? <div className="small">{x.closeReason}</div> : null}
                </td>
                <td>
                  <Json value={{ scope: x.scope, match: x.match }} label={`Scope and match of ${x.ticket}`} />
                </td>
                <td>
                  {x.requester} → {x.approver ?? <span className="muted">not approved</span>}
                </td>
                <td>
                  {x.status === 'active' || x.status === 'requested' ? (
                    <span className={Date.parse(x.expires) - now < 7 * 86_400_000 ? 'warn' : ''}>{expiry(x, now)}</span>
                  ) : null}
                  <div className="small">
                    <Time iso={x.expires} />
                  </div>
                </td>
                <td className="actions">
                  {can.decideException(role) &&
                  (x.status === 'requested' || (x.emergency && !x.approver && x.status === 'active')) ? (
                    <>
                      <ActionButton
                        label="Approve"
                        ariaLabel={`Approve exception ${x.ticket}`}
                        title={`Approve exception ${x.ticket}`}
                        message={
                          <p>
                            Requested by {x.requester}. Approving makes it active until <Time iso={x.expires} /> and re-signs the
                            policy bundle. You cannot approve your own request.
                          </p>
                        }
                        confirmLabel="Approve exception"
                        run={async () => {
                          await api('POST', `/v1/exceptions/${encodeURIComponent(x.id)}/approve`);
                          notify(`Exception ${x.ticket} approved.`);
                          reload();
                        }}
                      />
                      {x.status === 'requested' ? (
                        <ActionButton
                          label="Deny"
                          ariaLabel={`Deny exception ${x.ticket}`}
                          title={`Deny exception ${x.ticket}`}
                          danger
                          message={<p>The request is rejected and stays in the record.</p>}
                          fields={[{ name: 'reason', label: 'Reason', type: 'textarea', required: true }]}
                          confirmLabel="Deny request"
                          run={async (v) => {
                            await api('POST', `/v1/exceptions/${encodeURIComponent(x.id)}/reject`, { reason: v.reason });
                            reload();
                          }}
                        />
                      ) : null}
                    </>
                  ) : null}
                  {can.revokeException(role) && (x.status === 'requested' || x.status === 'active') ? (
                    <ActionButton
                      label="Revoke"
                      ariaLabel={`Revoke exception ${x.ticket}`}
                      title={`Revoke exception ${x.ticket}`}
                      danger
                      message={<p>Ends the exception now; agents receive a re-signed bundle without it.</p>}
                      fields={[{ name: 'reason', label: 'Reason', type: 'textarea', required: true }]}
                      confirmLabel="Revoke exception"
                      run={async (v) => {
                        await api('POST', `/v1/exceptions/${encodeURIComponent(x.id)}/revoke`, { reason: v.reason });
                        reload();
                      }}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
            {data && data.exceptions.length === 0 ? (
              <tr>
                <td colSpan={6}>No exceptions.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="win-h">
        <div className="page-head">
          <h2 id="win-h">Maintenance windows</h2>
          {can.windows(role) ? (
            <ActionButton
              label="Open window"
              title="Open a maintenance window"
              message={<p>Tied to a change ticket, at most 14 days. Files first seen inside a window go to review.</p>}
              fields={[
                { name: 'ticket', label: 'Change ticket', required: true },
                { name: 'hosts', label: 'Hosts (comma-separated ids)', required: true },
                { name: 'start', label: 'Start', type: 'datetime-local', required: true, initial: localInput(now) },
                { name: 'end', label: 'End', type: 'datetime-local', required: true, initial: localInput(now + 4 * 3_600_000) },
                {
                  name: 'relax',
                  label: 'Relaxes',
                  type: 'select',
                  initial: 'defaultDeny',
                  options: [
                    { value: 'defaultDeny', label: 'default deny (programs denied only by default-deny run)' },
                    { value: 'enforcement', label: 'enforcement (denies recorded as would-deny)' },
                  ],
                },
                { name: 'reason', label: 'Reason', type: 'textarea' },
              ]}
              confirmLabel="Open window"
              run={async (v) => {
                await api('POST', '/v1/windows', {
                  ticket: v.ticket,
                  scope: { hosts: list(v.hosts) },
                  start: toIso(v.start ?? ''),
                  end: toIso(v.end ?? ''),
                  relax: { [v.relax ?? 'defaultDeny']: true },
                  ...(v.reason ? { reason: v.reason } : {}),
                });
                reload();
              }}
            />
          ) : null}
        </div>
        <table aria-label="Maintenance windows">
          <thead>
            <tr>
              <th>Ticket</th>
              <th>When</th>
              <th>Scope</th>
              <th>Relaxes</th>
              <th>By</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {(data?.windows ?? []).map((w) => {
              const live = !w.revokedAt && Date.parse(w.end) > now;
              return (
                <tr key={w.id}>
                  <td>
                    <strong>{w.ticket}</strong>
                    <div className="muted small">{w.id}</div>
                  </td>
                  <td>
                    {w.start.slice(0, 16).replace('T', ' ')} → {w.end.slice(0, 16).replace('T', ' ')} UTC
                    <div className="small">
                      {w.revokedAt
                        ? `closed early by ${w.revokedBy}`
                        : Date.parse(w.end) <= now
                          ? 'ended'
                          : Date.parse(w.start) <= now
                            ? `open, ends ${relTime(w.end, now)}`
                            : `starts ${relTime(w.start, now)}`}
                    </div>
                  </td>
                  <td className="mono small">{JSON.stringify(w.scope)}</td>
                  <td className="mono small">{JSON.stringify(w.relax)}</td>
                  <td>{w.createdBy}</td>
                  <td>
                    {live && can.windows(role) ? (
                      <ActionButton
                        label="Close"
                        ariaLabel={`Close window ${w.ticket}`}
                        title={`Close window ${w.ticket} now`}
                        danger
                        message={<p>Ends the window now and re-signs the bundle.</p>}
                        confirmLabel="Close window"
                        run={async () => {
                          await api('POST', `/v1/windows/${encodeURIComponent(w.id)}/revoke`);
                          reload();
                        }}
                      />
                    ) : null}
                  </td>
                </tr>
              );
            })}
            {data && data.windows.length === 0 ? (
              <tr>
                <td colSpan={6}>No maintenance windows.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    </Page>
  );
}
