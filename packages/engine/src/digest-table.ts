/**
 * A read-only map from SHA-256 hex digests (stored lower-case) to values, for the hot path.
 *
 * A `Map` keyed by 64-character strings costs, for every freshly parsed digest, a hash over all 64
 * characters and then chained loads of bucket, entry and stored key, each a likely cache miss
 * with 100,000 uniformly random digests. Here the slot is found from the first eight hex digits
 * read with `charCodeAt` (SHA-256 output is uniform, so they spread as well as a hash would; no
 * string hash is computed), and one slot holds both the stored digest and its value: a hit reads
 * the slot and compares the stored string once (two cache lines, no hash, no chain).
 *
 * Exact and case-insensitive like `hashLookup`: the stored string must equal the digest (then its
 * lower-case form). Keys that are not 64 characters long live in a plain `Map`.
 */
export class DigestTable<V> {
  private readonly shift: number;
  private readonly mask: number;
  /** Interleaved [key, value] per slot; `undefined` key = empty. */
  private readonly slots: (string | V | undefined)[];
  private readonly others: Map<string, V>;
  readonly size: number;

  constructor(entries: ReadonlyMap<string, V>) {
    this.size = entries.size;
    let bits = 4;
    // Load factor at most 0.4: linear probing then averages ~1.3 probes for a hit, ~2 for a miss.
    while (1 << bits < entries.size * 2.5) bits++;
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    this.slots = new Array<string | V | undefined>(2 << bits).fill(undefined);
    this.others = new Map();
    for (const [key, value] of entries) {
      if (key.length !== 64) {
        this.others.set(key, value);
        continue;
      }
      let s = this.home(key);
      while (this.slots[2 * s] !== undefined) s = (s + 1) & this.mask;
      this.slots[2 * s] = key;
      this.slots[2 * s + 1] = value;
    }
  }

  /** The first eight hex digits as a number (any case), spread over the table. */
  private home(d: string): number {
    const h =
      (nibble(d.charCodeAt(0)) << 28) |
      (nibble(d.charCodeAt(1)) << 24) |
      (nibble(d.charCodeAt(2)) << 20) |
      (nibble(d.charCodeAt(3)) << 16) |
      (nibble(d.charCodeAt(4)) << 12) |
      (nibble(d.charCodeAt(5)) << 8) |
      (nibble(d.charCodeAt(6)) << 4) |
      nibble(d.charCodeAt(7));
    return Math.imul(h, 0x9e3779b1) >>> this.shift;
  }

  private probe(d: string): V | undefined {
    const slots = this.slots;
    const mask = this.mask;
    let s = this.home(d);
    for (;;) {
      const key = slots[2 * s];
      if (key === undefined) return undefined;
      if (key === d) return slots[2 * s + 1] as V;
      s = (s + 1) & mask;
    }
  }

  get(digest: string): V | undefined {
    const hit = this.find(digest);
    // Digests almost always arrive lower-case; upper-case (Sysmon) is lower-cased on a miss only.
    return hit !== undefined || !UPPER.test(digest) ? hit : this.find(digest.toLowerCase());
  }

  private find(d: string): V | undefined {
    if (d.length === 64) return this.probe(d);
    return this.others.size === 0 ? undefined : this.others.get(d);
  }
}

const UPPER = /[A-F]/;

/** A hex digit's value; other characters give some number (they only pick a slot, never a match). */
function nibble(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}
