/**
 * Value coercions shared by every source. Exporters disagree on types (typed vs string integers,
 * "-" for empty, trailing spaces), so every field goes through one of these.
 */

/** A non-empty string, or undefined for absent, empty and the Windows placeholder "-". */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return undefined;
  // Fast path (the common case on the ingest hot path): no trailing NUL, so no regex and no copy.
  const t = v.charCodeAt(v.length - 1) === 0 ? v.replace(/\0+$/, '') : v;
  return t === '' || t === '-' ? undefined : t;
}

/** An integer from a number, a decimal string or a 0x-prefixed hex string (Security 4688 pids). */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  // Fast path: 1–15 decimal digits and nothing else (always a safe integer), no regex.
  if (typeof v === 'string' && v.length > 0 && v.length <= 15) {
    let n = 0;
    let i = 0;
    for (; i < v.length; i++) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === v.length) return n;
  }
  const s = str(v)?.trim();
  if (s === undefined) return undefined;
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(s)) n = Number.parseInt(s.slice(2), 16);
  else if (/^-?\d+$/.test(s)) n = Number(s);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** GUIDs appear upper or lower case, with or without braces: we keep lower case without braces. */
export function guid(v: unknown): string | undefined {
  // Fast path: exactly {8-4-4-4-12} (Sysmon's rendering) or 8-4-4-4-12, lower-cased once and checked by one regex.
  if (typeof v === 'string') {
    if (v.length === 38) {
      const l = v.toLowerCase();
      if (BRACED_GUID.test(l)) return l.slice(1, 37);
    } else if (v.length === 36) {
      const l = v.toLowerCase();
      if (GUID.test(l)) return l;
    }
  }
  return slowGuid(v);
}

const BRACED_GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Any rendering: upper or lower case, braces or not, surrounding spaces, trailing NULs. */
export function slowGuid(v: unknown): string | undefined {
  const s = str(v)?.trim();
  if (s === undefined) return undefined;
  const m = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(s);
  return m?.[1] ? m[1].toLowerCase() : undefined;
}

/** LogonIds come as 0xc47a0, 0x00000000000C47A0 or decimal: we keep Windows' rendering, 0x + lower hex, no padding. */
export function logonId(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return `0x${v.toString(16)}`;
  // Fast path: 0x + hex digits, what BigInt(s).toString(16) gives without BigInt: lower case, no leading zeros.
  if (
    typeof v === 'string' &&
    v.length > 2 &&
    v.charCodeAt(0) === 0x30 &&
    (v.charCodeAt(1) | 0x20) === 0x78 &&
    isHexRun(v, 2, v.length)
  ) {
    let i = 2;
    while (i < v.length - 1 && v.charCodeAt(i) === 0x30) i++;
    return `0x${v.slice(i).toLowerCase()}`;
  }
  const s = str(v)?.trim();
  if (s === undefined) return undefined;
  if (/^0x[0-9a-f]+$/i.test(s)) return `0x${BigInt(s).toString(16)}`;
  if (/^\d+$/.test(s)) return `0x${BigInt(s).toString(16)}`;
  return undefined;
}

/** Lower-case hex digest, or undefined when the value is not hex. */
export function hex(v: unknown): string | undefined {
  // Fast path: an even number of hex digits and nothing else (Sysmon's Hashes values), no regex.
  if (typeof v === 'string' && v.length > 0 && (v.length & 1) === 0 && isHexRun(v, 0, v.length)) return v.toLowerCase();
  const s = str(v)?.trim();
  if (s === undefined) return undefined;
  const t = s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s;
  return /^[0-9a-f]+$/i.test(t) && t.length % 2 === 0 ? t.toLowerCase() : undefined;
}

/** Whether s[from, to) is all ASCII hex digits (either case). */
export function isHexRun(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) continue;
    const l = c | 0x20; // A–F to a–f (no other code lands in a–f)
    if (l < 0x61 || l > 0x66) return false;
  }
  return true;
}

export function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = str(v)?.toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

/** Command lines from some exporters carry trailing spaces or CR/LF that the process never saw. */
export function commandLine(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  let end = s.length;
  while (end > 0 && isTrailingBlank(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : str(s.slice(0, end));
}

/** What /[\s\0]/ matches: NUL, ASCII and Unicode white space (as String.prototype.trim understands it). */
function isTrailingBlank(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0) return true;
  return c > 0x7f && String.fromCharCode(c).trim() === '';
}

/** Removes undefined members recursively and drops objects left empty (exactOptionalPropertyTypes-friendly output). */
export function compact<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return compactArray(v) as T;
  return (compactObject(v as Record<string, unknown>) ?? {}) as T;
}

/** compact() of one member of a draft: undefined when nothing is left of it (the member is then omitted). */
export function compactMember(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  return Array.isArray(v) ? compactArray(v) : compactObject(v as Record<string, unknown>);
}

function compactArray(a: readonly unknown[]): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const c = typeof x === 'object' && x !== null ? compact(x) : x;
    if (c !== x && out === undefined) out = a.slice(0, i);
    if (out !== undefined) out.push(c);
  }
  return out ?? a;
}

/**
 * The compacted object, or undefined when nothing is left. An object that has nothing to remove is returned
 * as it is rather than copied (winlog.event_data, the bulk of a Windows event, usually is), so the result may
 * share members with the draft; drafts are built fresh per record, so nothing else holds them.
 * Hot path: plain loops, no entries() arrays.
 */
function compactObject(o: Record<string, unknown>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined; // the copy, made at the first change
  let n = 0;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const x = o[k];
    let c: unknown = x;
    if (typeof x === 'object' && x !== null) c = Array.isArray(x) ? compactArray(x) : compactObject(x as Record<string, unknown>);
    if (c === x && x !== undefined) {
      if (out !== undefined) out[k] = x;
      n++;
      continue;
    }
    if (out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) {
        const kj = keys[j] as string;
        out[kj] = o[kj];
      }
    }
    if (c === undefined) continue;
    out[k] = c;
    n++;
  }
  return n === 0 ? undefined : (out ?? o);
}

/**
 * Builds an ExecEvent from a draft whose optional members may be undefined: compact() removes them, which
 * is exactly what exactOptionalPropertyTypes asks for, so the cast only restates what compact guarantees.
 */
export function toEvent(draft: { process: object } & Record<string, unknown>): import('@execguard/schema').ExecEvent {
  // process is required by ExecEvent even when a record names none (e.g. WDAC 3089), so it survives compaction.
  const c = compact(draft) as Record<string, unknown>;
  return ('process' in c ? c : { ...c, process: {} }) as unknown as import('@execguard/schema').ExecEvent;
}
