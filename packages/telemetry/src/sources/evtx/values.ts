/** Formatting of BinXML typed values (FILETIME, SYSTEMTIME, GUID, SID, hex integers, binary). */

const EPOCH_DIFF_SECONDS = 11644473600n;
const TICKS_PER_SECOND = 10000000n;

/** FILETIME (100 ns ticks since 1601-01-01 UTC, split into two u32 halves) to ISO 8601 with a 7-digit fraction. */
export function filetimeToIso(lo: number, hi: number): string {
  if (hi >>> 0 < 0x10000000) {
    // Exact in doubles: 2^32 = 429 * 10^7 + 4967296 and hi * 4967296 + lo < 2^53 for hi < 2^28.
    const rem = (hi >>> 0) * 4967296 + (lo >>> 0);
    const secs = (hi >>> 0) * 429 + Math.floor(rem / 10000000);
    const frac = rem % 10000000;
    const d = new Date((secs - 11644473600) * 1000);
    const iso = d.toISOString();
    return `${iso.slice(0, -5)}.${String(frac).padStart(7, '0')}Z`;
  }
  const ticks = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const secs = ticks / TICKS_PER_SECOND;
  const frac = ticks % TICKS_PER_SECOND;
  const unixMs = Number(secs - EPOCH_DIFF_SECONDS) * 1000;
  const d = new Date(unixMs);
  if (Number.isNaN(d.getTime())) return `FILETIME:${ticks.toString()}`;
  const iso = d.toISOString(); // ...:SS.000Z
  return `${iso.slice(0, -5)}.${frac.toString().padStart(7, '0')}Z`;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** SYSTEMTIME (8 x u16: year, month, weekday, day, hour, minute, second, milliseconds) to ISO 8601 with a 7-digit fraction. */
export function systemtimeToIso(b: Uint8Array, p: number): string {
  const u = (i: number): number => b[p + i * 2]! | (b[p + i * 2 + 1]! << 8);
  return `${pad(u(0), 4)}-${pad(u(1), 2)}-${pad(u(3), 2)}T${pad(u(4), 2)}:${pad(u(5), 2)}:${pad(u(6), 2)}.${pad(u(7), 3)}0000Z`;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

export function hexUpper(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[b[i]!]!;
  return s;
}

/** GUID in registry format with braces and upper-case hex: {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}. */
export function guidToString(b: Uint8Array, p: number): string {
  const h = (i: number): string => HEX[b[p + i]!]!;
  return `{${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}}`;
}

/** Security identifier in S-R-A-S1-S2... form; returns null when `size` bytes cannot hold it. */
export function sidToString(b: Uint8Array, p: number, size: number): string | null {
  if (size < 8) return null;
  const rev = b[p]!;
  const count = b[p + 1]!;
  if (8 + count * 4 > size) return null;
  let auth = 0;
  for (let i = 2; i < 8; i++) auth = auth * 256 + b[p + i]!;
  let s = `S-${rev}-${auth >= 2 ** 32 ? `0x${auth.toString(16).toUpperCase().padStart(12, '0')}` : auth}`;
  for (let i = 0; i < count; i++) {
    const q = p + 8 + i * 4;
    s += `-${(b[q]! | (b[q + 1]! << 8) | (b[q + 2]! << 16) | (b[q + 3]! << 24)) >>> 0}`;
  }
  return s;
}

/** u64 from two u32 halves: a number when exact, otherwise a decimal string. */
export function u64Value(lo: number, hi: number): number | string {
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** i64 from two u32 halves: a number when exact, otherwise a decimal string. */
export function i64Value(lo: number, hi: number): number | string {
  const shi = hi | 0;
  if (shi >= -0x200000 && shi < 0x200000) return shi * 4294967296 + lo;
  return ((BigInt(shi) << 32n) + BigInt(lo)).toString();
}

export function hex64(lo: number, hi: number): string {
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}
