/**
 * One line of a raw auditd log: `[node=N ]type=T msg=audit(SEC.MS:SERIAL): k=v k="v" …`, optionally followed
 * by 0x1d and the enriched (log_format=ENRICHED) interpretations `UID="root" …`. A syslog prefix before
 * `type=` (audisp-syslog) is ignored.
 */
export interface AuditLine {
  readonly type: string;
  readonly time: string;
  readonly serial: number;
  readonly node?: string;
  /** Raw field values as written: quoted values keep their quotes so hex and text stay distinguishable. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly enriched: ReadonlyArray<readonly [string, string]>;
}

const HEADER = /(?:^|\s)(?:node=(\S+) )?type=(\S+) msg=audit\((\d+(?:\.\d+)?):(\d+)\):/;

export function parseAuditLine(line: string): AuditLine | { error: string } {
  const m = HEADER.exec(line);
  if (!m?.[2] || !m[3] || !m[4]) return { error: 'not an audit record (no type=… msg=audit(…):)' };
  const rest = line.slice(m.index + m[0].length);
  const gs = rest.indexOf('\x1d');
  const raw = gs >= 0 ? rest.slice(0, gs) : rest;
  const serial = Number(m[4]);
  if (!Number.isSafeInteger(serial)) return { error: 'audit serial out of range' };
  return {
    type: m[2],
    time: m[3],
    serial,
    ...(m[1] ? { node: m[1] } : {}),
    fields: splitFields(raw),
    enriched: gs >= 0 ? splitFields(rest.slice(gs + 1)) : [],
  };
}

/** key=value pairs; values are "quoted" (no escapes in audit), 'single quoted' (USER_* msg) or bare. */
export function splitFields(s: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && s[i] === ' ') i++;
    const eq = s.indexOf('=', i);
    if (eq < 0) break;
    const key = s.slice(i, eq);
    i = eq + 1;
    let value: string;
    const q = s[i];
    if (q === '"' || q === "'") {
      const end = s.indexOf(q, i + 1);
      const stop = end < 0 ? n : end + 1;
      value = s.slice(i, stop);
      i = stop;
    } else {
      const sp = s.indexOf(' ', i);
      const stop = sp < 0 ? n : sp;
      value = s.slice(i, stop);
      i = stop;
    }
    if (key !== '' && !key.includes(' ')) out.push([key, value]);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8');

/** Bytes of an audit value: "text" is literal, (null) is empty, anything else is hex (the kernel's encoding for unsafe text). */
export function valueBytes(v: string): Uint8Array | undefined {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return Buffer.from(v.slice(1, -1), 'utf8');
  if (v === '(null)' || v === '') return new Uint8Array(0);
  if (/^[0-9A-Fa-f]+$/.test(v) && v.length % 2 === 0) return Buffer.from(v, 'hex');
  return undefined;
}

/** A value as text: quoted text unquoted, hex decoded as UTF-8; undefined when neither. */
export function valueText(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const b = valueBytes(v);
  return b === undefined ? undefined : utf8.decode(b);
}

export function decodeBytes(b: Uint8Array): string {
  return utf8.decode(b);
}

/** Bare values such as unquoted numbers. */
export function unquote(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}
