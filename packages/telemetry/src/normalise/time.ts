/**
 * Timestamps to ISO 8601 UTC with a Z. Exporters write "2021-12-04 21:19:16.741995" (python-evtx),
 * "2025-11-27T07:40:10.165324Z" (evtx_dump) or epoch seconds (auditd, osquery); fraction digits are kept.
 */
export function isoTime(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return epoch(String(v));
  if (typeof v !== 'string') return undefined;
  // Fast path: "YYYY-MM-DD HH:MM:SS[.fraction]" or with T, no zone (python-evtx), checked without a regex.
  if (v.length >= 19 && isPlainUtc(v)) return `${v.slice(0, 10)}T${v.slice(11)}Z`;
  const s = v.trim();
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const [, date, clock, frac = '', zone = 'Z'] = m;
    if (zone === 'Z' || /^[+-]00:?00$/.test(zone)) return `${date}T${clock}${frac}Z`;
    const d = new Date(`${date}T${clock}${frac.slice(0, 4)}${zone}`);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (/^\d+(\.\d+)?$/.test(s)) return epoch(s);
  return undefined;
}

/** Epoch seconds as text ("1615150974.493"), keeping the fraction's digits exactly. */
export function epoch(s: string): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m?.[1]) return undefined;
  const ms = Number(m[1]) * 1000;
  if (!Number.isSafeInteger(ms)) return undefined;
  const base = new Date(ms);
  if (Number.isNaN(base.getTime())) return undefined;
  const iso = base.toISOString().slice(0, 19);
  return m[2] ? `${iso}.${m[2]}Z` : `${iso}Z`;
}

/** Whether s is "YYYY-MM-DD[T ]HH:MM:SS" optionally followed by "." and at least one digit, and nothing else. */
function isPlainUtc(s: string): boolean {
  for (let i = 0; i < 19; i++) {
    const c = s.charCodeAt(i);
    if (i === 4 || i === 7) {
      if (c !== 0x2d) return false;
    } else if (i === 10) {
      if (c !== 0x20 && c !== 0x54) return false;
    } else if (i === 13 || i === 16) {
      if (c !== 0x3a) return false;
    } else if (c < 0x30 || c > 0x39) return false;
  }
  if (s.length === 19) return true;
  if (s.charCodeAt(19) !== 0x2e || s.length === 20) return false;
  for (let i = 20; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
