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
  if (typeof v !== 'string') return out;
  for (const part of v.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const alg = part.slice(0, eq).trim().toUpperCase();
    const value = hex(part.slice(eq + 1));
    if (value === undefined) continue;
    if (alg === 'SHA256' && value.length === 64) out.sha256 = value;
    else if (alg === 'SHA1' && value.length === 40) out.sha1 = value;
    else if (alg === 'MD5' && value.length === 32) out.md5 = value;
    else if (alg === 'IMPHASH' && value.length === 32) out.imphash = value;
  }
  return out;
}
