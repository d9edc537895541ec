/**
 * Little-endian field writer for the buffers the native core reads (native/table.c and the facts
 * reader in native/addon.c): u8, i8, u32, i32, f64 and length-prefixed UTF-8 strings.
 */
export class BinaryWriter {
  private buf = Buffer.alloc(4096);
  private n = 0;

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(next, 0, 0, this.n);
    this.buf = next;
  }
  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }
  u8(v: number | boolean): this {
    this.room(1);
    this.buf.writeUInt8(Number(v) & 0xff, this.n++);
    return this;
  }
  i8(v: number): this {
    this.room(1);
    this.buf.writeInt8(v, this.n++);
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.n);
    this.n += 4;
    return this;
  }
  i32(v: number): this {
    this.room(4);
    this.buf.writeInt32LE(v, this.n);
    this.n += 4;
    return this;
  }
  f64(v: number): this {
    this.room(8);
    this.buf.writeDoubleLE(v, this.n);
    this.n += 8;
    return this;
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u32(b.length).raw(b);
  }
  /** Optional string: a presence byte, then the string. */
  opt(s: string | undefined | null): this {
    return s === undefined || s === null ? this.u8(0) : this.u8(1).str(s);
  }
  strs(list: readonly string[]): this {
    this.u32(list.length);
    for (const s of list) this.str(s);
    return this;
  }
  /** Tri-state boolean: -1 unset, 0 false, 1 true. */
  tri(v: boolean | undefined): this {
    return this.i8(v === undefined ? -1 : v ? 1 : 0);
  }
  done(): Buffer {
    return this.buf.subarray(0, this.n);
  }
}
