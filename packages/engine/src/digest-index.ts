/**
 * SHA-256 → value index for the hot path, built once and read-only afterwards.
 *
 * A Map keyed by 64-character strings costs, per lookup of a freshly parsed digest, a hash over its
 * 64 characters and cold loads of the bucket, the entry and the stored key string. Here a digest
 * is read straight from its hex (no string hash, case-insensitive so upper-case Sysmon digests need
 * no copy) into 24-bit chunks; a probe table of two ints per slot (entry, fingerprint) finds the
 * candidate, and one row per entry holds the whole digest and its value number, so a hit touches
 * two cache lines and a miss usually one.
 */
const CHUNKS = 11; // 10 × 6 hex digits + 1 × 4
const ROW = CHUNKS + 1; // + value number

export class DigestIndex<V> {
  private readonly mask: number;
  private readonly probe: Int32Array;
  private readonly rows: Int32Array;
  private readonly values: V[] = [];
  readonly size: number;

  constructor(entries: ReadonlyMap<string, V>) {
    this.size = entries.size;
    let cap = 16;
    while (cap < entries.size * 2) cap *= 2;
    this.mask = cap - 1;
    this.probe = new Int32Array(cap * 2);
    this.rows = new Int32Array(Math.max(1, entries.size) * ROW);
    const valueNumber = new Map<V, number>();
    let e = 0;
    for (const [digest, value] of entries) {
      const row = e * ROW;
      for (let c = 0; c < CHUNKS; c++) {
        const v = chunk(digest, c);
        if (v < 0 || digest.length !== 64) throw new Error(`not a SHA-256 digest: ${digest}`);
        this.rows[row + c] = v;
      }
      let n = valueNumber.get(value);
      if (n === undefined) {
        n = this.values.length;
        valueNumber.set(value, n);
        this.values.push(value);
      }
      this.rows[row + CHUNKS] = n;
      let slot = mix(this.rows[row] as number, this.rows[row + 1] as number) & this.mask;
      while (this.probe[slot * 2] !== 0) slot = (slot + 1) & this.mask;
      this.probe[slot * 2] = e + 1;
      this.probe[slot * 2 + 1] = this.rows[row + 2] as number;
      e++;
    }
  }

  get(digest: string): V | undefined {
    if (this.size === 0 || digest.length !== 64) return undefined;
    const c0 = chunk(digest, 0);
    const c1 = chunk(digest, 1);
    const c2 = chunk(digest, 2);
    if (c0 < 0 || c1 < 0 || c2 < 0) return undefined;
    const probe = this.probe;
    let slot = mix(c0, c1) & this.mask;
    for (;;) {
      const e = (probe[slot * 2] as number) - 1;
      if (e < 0) return undefined;
      if (probe[slot * 2 + 1] === c2 && this.rowEquals(e * ROW, digest, c0, c1, c2)) {
        return this.values[this.rows[e * ROW + CHUNKS] as number];
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private rowEquals(row: number, digest: string, c0: number, c1: number, c2: number): boolean {
    const rows = this.rows;
    if (rows[row] !== c0 || rows[row + 1] !== c1 || rows[row + 2] !== c2) return false;
    for (let c = 3; c < CHUNKS; c++) if (chunk(digest, c) !== rows[row + c]) return false;
    return true;
  }
}

/** Chunk `c` of a hex digest as a number (6 hex digits, the last 4), or -1 if not hex. */
function chunk(s: string, c: number): number {
  const at = c * 6;
  const end = c === CHUNKS - 1 ? 64 : at + 6;
  let v = 0;
  for (let i = at; i < end; i++) {
    const ch = s.charCodeAt(i);
    let d: number;
    if (ch >= 48 && ch <= 57) d = ch - 48;
    else if (ch >= 97 && ch <= 102) d = ch - 87;
    else if (ch >= 65 && ch <= 70) d = ch - 55;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

/** Spreads two chunks over the table (murmur3's finaliser). */
function mix(a: number, b: number): number {
  let h = a ^ Math.imul(b, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
