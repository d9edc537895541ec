/**
 * Timestamps to ISO 8601 UTC with a Z. Exporters write "2021-12-04 21:19:16.741995" (python-evtx),
 * "2025-11-27T07:40:10.165324Z" (evtx_dump) or epoch seconds (auditd, osquery); fraction digits are kept.
 */
export function isoTime(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return epoch(String(v));
  if (typeof v !== 'string') return undefined;
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
