import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { detectRole, loadSession, type Session, saveSession, setUnauthorizedHandler } from './api.js';
import { AuditPage } from './pages/audit.js';
import { CoveragePage } from './pages/coverage.js';
import { EventPage, EventsPage } from './pages/events.js';
import { ExceptionsPage } from './pages/exceptions.js';
import { HostPage, HostsPage } from './pages/hosts.js';
import { OverviewPage } from './pages/overview.js';
import { PoliciesPage } from './pages/policies.js';
import { ReviewPage } from './pages/review.js';
import { type AppCtx, Ctx, errorText, makeApi } from './ui.js';
import './styles.css';

function readHash(): readonly [string, URLSearchParams] {
  const h = window.location.hash.replace(/^#/, '') || '/';
  const i = h.indexOf('?');
  return i < 0 ? [h, new URLSearchParams()] : [h.slice(0, i), new URLSearchParams(h.slice(i + 1))];
}

function useHash(): [string, URLSearchParams] {
  const [v, setV] = useState(readHash);
  useEffect(() => {
    const on = () => setV(readHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return [v[0], v[1]];
}

function SignIn({ onSignedIn, reason }: { onSignedIn: (s: Session) => void; reason: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(reason);
  const [busy, setBusy] = useState(false);
  return (
    <main className="signin">
      <form
        aria-labelledby="signin-h"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const t = token.trim();
            const role = await detectRole(t);
            onSignedIn({ token: t, role });
          } catch (err) {
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1 id="signin-h">ExecGuard console</h1>
        <p>
          Sign in with an API token (an admin creates one with POST /v1/tokens; the first start prints a bootstrap admin token).
        </p>
        <label className="field">
          <span>API token</span>
          <input
            name="token"
            type="password"
            autoComplete="off"
            aria-label="API token"
            required
            // biome-ignore lint/a11y/noAutofocus: the only field on the page
            autoFocus
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy} aria-label="Sign in">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="small muted">The token is kept in this tab only (session storage) and sent to this server alone.</p>
      </form>
    </main>
  );
}

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/hosts', 'Hosts'],
  ['/events', 'Events'],
  ['/review', 'Review queue'],
  ['/policies', 'Policies'],
  ['/exceptions', 'Exceptions and windows'],
  ['/coverage', 'ATT&CK coverage'],
  ['/audit', 'Audit log'],
];

function Route({ path, query }: { path: string; query: URLSearchParams }) {
  const seg = path.split('/').filter(Boolean);
  const rest = (n: number) => decodeURIComponent(seg.slice(n).join('/'));
  switch (seg[0]) {
    case undefined:
      return <OverviewPage />;
    case 'hosts':
      return seg[1] ? <HostPage id={rest(1)} /> : <HostsPage />;
    case 'events':
      return seg[1] ? <EventPage id={rest(1)} query={query} /> : <EventsPage key={query.toString()} query={query} />;
    case 'review':
      return <ReviewPage query={query} />;
    case 'policies':
      return <PoliciesPage query={query} />;
    case 'exceptions':
      return <ExceptionsPage />;
    case 'coverage':
      return <CoveragePage />;
    case 'audit':
      return <AuditPage />;
    default:
      return <p role="alert">No page at {path}.</p>;
  }
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [reason, setReason] = useState<string | null>(null);
  const [toast, setToast] = useState<{ msg: string; kind: 'ok' | 'error' } | null>(null);
  const [path, query] = useHash();
  const signOut = useCallback((why: string | null) => {
    saveSession(null);
    setSession(null);
    setReason(why);
  }, []);
  useEffect(() => setUnauthorizedHandler(() => signOut('Your token is no longer valid; sign in again.')), [signOut]);
  const ctx: AppCtx | null = useMemo(
    () =>
      session
        ? {
            session,
            role: session.role,
            api: makeApi(session.token),
            navigate: (h: string) => {
              window.location.hash = h;
            },
            notify: (msg: string, kind: 'ok' | 'error' = 'ok') => setToast({ msg, kind }),
          }
        : null,
    [session],
  );
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 8000);
    return () => clearTimeout(t);
  }, [toast]);
  if (!session || !ctx)
    return (
      <SignIn
        reason={reason}
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
          setReason(null);
        }}
      />
    );
  const current = `/${path.split('/').filter(Boolean)[0] ?? ''}`;
  return (
    <Ctx.Provider value={ctx}>
      {/* A button, not <a href="#main">: the URL fragment is the console's route. */}
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <span className="brand">ExecGuard</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <a href={`#${to}`} aria-current={current === to ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <label htmlFor="signed-in-role" className="sr-only">
          Signed in role
        </label>
        <output id="signed-in-role" className="who">
          {session.role}
        </output>
        <button type="button" onClick={() => signOut(null)} aria-label="Sign out">
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Route path={path} query={query} />
      </main>
      <div className={`toast ${toast ? `toast-${toast.kind}` : ''}`} role="status" aria-live="polite">
        {toast?.msg ?? ''}
      </div>
    </Ctx.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
