import { decodeBytes, valueBytes } from './record.js';

/**
 * The argument vector of an EXECVE record (possibly spread over several EXECVE lines of one event):
 * `aN="text"`, `aN=HEX` (the kernel hex-encodes arguments with spaces, quotes or control bytes), and long
 * arguments split as `aN_len=TOTAL aN[0]=… aN[1]=…`, each chunk quoted or hex on its own. Chunks are joined
 * as bytes before UTF-8 decoding so a multi-byte character split between chunks survives.
 */
export function execveArgs(fields: ReadonlyArray<readonly [string, string]>): {
  args: string[];
  argc?: number;
  problems: string[];
} {
  const whole = new Map<number, Uint8Array>();
  const parts = new Map<number, Map<number, Uint8Array>>();
  const problems: string[] = [];
  let argc: number | undefined;
  for (const [k, v] of fields) {
    if (k === 'argc') {
      const n = Number(v);
      if (Number.isSafeInteger(n) && n >= 0) argc = n;
      continue;
    }
    const m = /^a(\d+)(?:\[(\d+)\]|(_len))?$/.exec(k);
    if (!m?.[1]) continue;
    const index = Number(m[1]);
    if (m[3]) continue; // aN_len: the total length, implied by the chunks
    const bytes = valueBytes(v);
    if (bytes === undefined) {
      problems.push(`${k}: neither quoted text nor hex`);
      continue;
    }
    if (m[2] !== undefined) {
      const chunks = parts.get(index) ?? new Map<number, Uint8Array>();
      parts.set(index, chunks);
      chunks.set(Number(m[2]), bytes);
    } else {
      whole.set(index, bytes);
    }
  }
  for (const [index, chunks] of parts) {
    const ordered = [...chunks.entries()].sort((a, b) => a[0] - b[0]);
    ordered.forEach(([n], i) => {
      if (n !== i) problems.push(`a${index}[${i}] missing`);
    });
    whole.set(index, Buffer.concat(ordered.map(([, b]) => b)));
  }
  const count = argc ?? (whole.size === 0 ? 0 : Math.max(...whole.keys()) + 1);
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const b = whole.get(i);
    if (b === undefined) {
      problems.push(`a${i} missing`);
      continue;
    }
    args.push(decodeBytes(b));
  }
  return { args, ...(argc !== undefined ? { argc } : {}), problems };
}

/** PROCTITLE: the command line as NUL-separated hex (or quoted when it has no NUL), truncated by the kernel at 128 bytes. */
export function proctitleArgs(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const b = valueBytes(v);
  if (b === undefined) return undefined;
  const text = decodeBytes(b);
  return text.split('\0').filter((a, i, all) => !(i === all.length - 1 && a === ''));
}
