import { hex } from './values.js';

export interface Hashes {
  sha256?: string;
  sha1?: string;
  md5?: string;
  imphash?: string;
}

/** Sysmon's "SHA1=AB..,MD5=CD..,SHA256=EF..,IMPHASH=01.." (any subset, any order) → lower-case hex by algorithm. */
export function sysmonHashes(v: unknown): Hashes {
  const out: Hashes = {};
  parseHashes(v, out, out);
  return out;
}

/**
 * sysmonHashes split into the file digests (what `const { imphash, ...file } = sysmonHashes(v)` gives, same key
 * order) and the import hash, without the object rest copy.
 */
export function sysmonFileHashes(v: unknown): { file: Hashes; imphash: string | undefined } {
  const file: Hashes = {};
  const imp: Hashes = {};
  parseHashes(v, file, imp);
  return { file, imphash: imp.imphash };
}

/** Sysmon's rendering: NAME=hex pairs joined by commas, nothing else (checked on the lower-cased text). */
const PLAIN = /^[a-z0-9]+=[0-9a-f]*(?:,[a-z0-9]+=[0-9a-f]*)*$/;

/**
 * The hot path for Sysmon's own rendering: the text lower-cased once, checked by one regex, and the
 * digests sliced from it (no per-value validation or lower-casing). Anything else returns false and
 * takes parseAnyHashes; both give the same result (hashes.test.ts compares them).
 */
function parsePlainHashes(v: string, out: Hashes, imp: Hashes): boolean {
  const l = v.toLowerCase();
  if (!PLAIN.test(l)) return false;
  let start = 0;
  for (;;) {
    let end = l.indexOf(',', start);
    if (end < 0) end = l.length;
    const eq = l.indexOf('=', start);
    const n = end - eq - 1;
    const alg = eq - start;
    if (alg === 6 && n === 64 && l.startsWith('sha256', start)) out.sha256 = l.slice(eq + 1, end);
    else if (alg === 4 && n === 40 && l.startsWith('sha1', start)) out.sha1 = l.slice(eq + 1, end);
    else if (alg === 3 && n === 32 && l.startsWith('md5', start)) out.md5 = l.slice(eq + 1, end);
    else if (alg === 7 && n === 32 && l.startsWith('imphash', start)) imp.imphash = l.slice(eq + 1, end);
    if (end === l.length) return true;
    start = end + 1;
  }
}

/** The digests of `v` into `out`, IMPHASH into `imp` (the same object for sysmonHashes). */
function parseHashes(v: unknown, out: Hashes, imp: Hashes): void {
  if (typeof v !== 'string') return;
  if (!parsePlainHashes(v, out, imp)) parseAnyHashes(v, out, imp);
}

/** Any rendering: names in any case with spaces around them, 0x-prefixed or odd values skipped. No split(). */
export function parseAnyHashes(v: string, out: Hashes, imp: Hashes): void {
  let start = 0;
  for (;;) {
    let end = v.indexOf(',', start);
    if (end < 0) end = v.length;
    const eq = v.indexOf('=', start);
    if (eq > start && eq < end) {
      let alg = v.slice(start, eq);
      if (alg !== 'SHA256' && alg !== 'SHA1' && alg !== 'MD5' && alg !== 'IMPHASH') alg = alg.trim().toUpperCase();
      const value = hex(v.slice(eq + 1, end));
      if (value !== undefined) {
        if (alg === 'SHA256' && value.length === 64) out.sha256 = value;
        else if (alg === 'SHA1' && value.length === 40) out.sha1 = value;
        else if (alg === 'MD5' && value.length === 32) out.md5 = value;
        else if (alg === 'IMPHASH' && value.length === 32) imp.imphash = value;
      }
    }
    if (end === v.length) return;
    start = end + 1;
  }
}
