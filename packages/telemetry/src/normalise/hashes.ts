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

/** The digests of `v` into `out`, IMPHASH into `imp` (the same object for sysmonHashes). Hot path: no split(). */
function parseHashes(v: unknown, out: Hashes, imp: Hashes): void {
  if (typeof v !== 'string') return;
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
