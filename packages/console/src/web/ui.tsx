import { createContext, type ReactNode, useCallback, useContext, useEffect, useId, useRef, useState } from 'react';
import { ApiError, type Role, request, type Session } from './api.js';

// ---- session and routing context ----

export interface AppCtx {
  readonly session: Session;
  readonly role: Role;
  readonly api: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  readonly navigate: (hash: string) => void;
  readonly notify: (msg: string, kind?: 'ok' | 'error') => void;
}

export const Ctx = createContext<AppCtx | null>(null);
export function useApp(): AppCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error('no app context');
  return c;
}

export function makeApi(token: string) {
  return <T,>(method: string, path: string, body?: unknown) => request<T>(token, method, path, body);
}

/** Loads data for a page; `reload` fetches again (after an action). */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): { data: T | null; error: string | null; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { data, error, loading, reload: useCallback(() => setN((x) => x + 1), []) };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.status} ${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

// ---- small presentational pieces ----

export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ExecGuard`;
    h.current?.focus();
  }, [title]);
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1} ref={h}>
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Loading({ error, loading }: { error: string | null; loading: boolean }) {
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (loading) return <p aria-live="polite">Loading…</p>;
  return null;
}

export function EffectBadge({ effect }: { effect: string | null }) {
  // An enforced deny is never shown like an audit-only would-deny.
  const label =
    effect === 'denied' ? 'DENIED (enforced)' : effect === 'would-deny' ? 'would-deny (audit)' : (effect ?? 'no decision');
  return <span className={`badge effect-${effect ?? 'none'}`}>{label}</span>;
}

export function Badge({ children, kind }: { children: ReactNode; kind?: string }) {
  return <span className={`badge ${kind ?? ''}`}>{children}</span>;
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
export function relTime(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const d = Date.parse(iso) - now;
  const a = Math.abs(d);
  if (a < 60_000) return rtf.format(Math.round(d / 1000), 'second');
  if (a < 3_600_000) return rtf.format(Math.round(d / 60_000), 'minute');
  if (a < 86_400_000) return rtf.format(Math.round(d / 3_600_000), 'hour');
  return rtf.format(Math.round(d / 86_400_000), 'day');
}

export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">never</span>;
  return (
    <time dateTime={iso} title={iso}>
      {relTime(iso)}
    </time>
  );
}

/**
 * A labelled block of preformatted text (a code listing in a <figure>, named by `label`). The <pre>
 * scrolls; browsers make a scroll container without focusable content keyboard-focusable themselves.
 */
export function Listing({ label, children }: { label: string; children: ReactNode }) {
  return (
    <figure className="listing" aria-label={label}>
      <pre className="json">{children}</pre>
    </figure>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return <Listing label={label}>{JSON.stringify(value, null, 2)}</Listing>;
}

export function Link({ to, children, label }: { to: string; children: ReactNode; label?: string }) {
  return (
    <a href={`#${to}`} {...(label ? { 'aria-label': label } : {})}>
      {children}
    </a>
  );
}

export function short(s: string, n = 16): string {
  return s.length > n + 1 ? `${s.slice(0, n)}…` : s;
}

// ---- confirmation dialog (native <dialog>: focus trap, Escape closes) ----

export interface DialogField {
  readonly name: string;
  readonly label: string;
  readonly type?: 'text' | 'textarea' | 'datetime-local' | 'select';
  readonly required?: boolean;
  readonly initial?: string;
  readonly options?: readonly { value: string; label: string }[];
  readonly help?: string;
}

const NO_FIELDS: readonly DialogField[] = [];

export function ConfirmDialog({
  open,
  title,
  message,
  fields = NO_FIELDS,
  confirmLabel,
  danger,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  message: ReactNode;
  fields?: readonly DialogField[];
  confirmLabel: string;
  danger?: boolean;
  onConfirm: (values: Record<string, string>) => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Unique per dialog: several dialogs with the same title can be on one page.
  const id = useId();
  // Runs again when `fields` changes identity, but only acts when `open` and the native dialog's
  // state differ: the values are reset once, when the dialog opens.
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setValues(Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ''])));
      setError(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open, fields]);
  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(values);
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby={`${id}-t`} onClose={onClose} onCancel={onClose}>
      <form onSubmit={submit}>
        <h2 id={`${id}-t`}>{title}</h2>
        <div className="dialog-msg">{message}</div>
        {fields.map((f, i) => (
          <div key={f.name} className="field">
            <label htmlFor={`${id}-f${i}`}>
              {f.label}
              {f.required ? <span aria-hidden="true"> *</span> : null}
            </label>
            {f.type === 'textarea' ? (
              <textarea
                id={`${id}-f${i}`}
                {...(f.help ? { 'aria-describedby': `${id}-f${i}-help` } : {})}
                required={f.required}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              />
            ) : f.type === 'select' ? (
              <select
                id={`${id}-f${i}`}
                {...(f.help ? { 'aria-describedby': `${id}-f${i}-help` } : {})}
                required={f.required}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              >
                {(f.options ?? []).map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`${id}-f${i}`}
                {...(f.help ? { 'aria-describedby': `${id}-f${i}-help` } : {})}
                type={f.type ?? 'text'}
                required={f.required}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              />
            )}
            {f.help ? (
              <small id={`${id}-f${i}-help`} className="muted">
                {f.help}
              </small>
            ) : null}
          </div>
        ))}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose} aria-label="Cancel">
            Cancel
          </button>
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy} aria-label={confirmLabel}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** A button that opens a confirmation dialog and runs the action when confirmed. */
export function ActionButton(props: {
  label: string;
  ariaLabel?: string;
  title: string;
  message: ReactNode;
  fields?: readonly DialogField[];
  confirmLabel?: string;
  danger?: boolean;
  run: (values: Record<string, string>) => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className={props.danger ? 'danger' : ''}
        onClick={() => setOpen(true)}
        aria-label={props.ariaLabel ?? props.label}
      >
        {props.label}
      </button>
      <ConfirmDialog
        open={open}
        title={props.title}
        message={props.message}
        fields={props.fields ?? NO_FIELDS}
        confirmLabel={props.confirmLabel ?? props.label}
        {...(props.danger ? { danger: true } : {})}
        onConfirm={props.run}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

export function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const t = Date.parse(local);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function localInput(t: number): string {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
