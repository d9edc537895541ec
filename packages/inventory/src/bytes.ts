import { readSync } from 'node:fs';

/**
 * Random-access bytes of a file or buffer. Reads are bounds-checked: a read past the end returns
 * fewer bytes, never throws, so parsers of hostile files only ever see short data.
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Buffer;
}

/** Never read more than this in one parser request: a malformed header cannot make us allocate gigabytes. */
export const MAX_READ = 16 * 1024 * 1024;

export function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset >= buf.length || length <= 0) return Buffer.alloc(0);
      return buf.subarray(offset, Math.min(buf.length, offset + Math.min(length, MAX_READ)));
    },
  };
}

export function fdSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset >= size || length <= 0) return Buffer.alloc(0);
      const want = Math.min(length, MAX_READ, size - offset);
      const out = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, out, got, want - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return out.subarray(0, got);
    },
  };
}

/**
 * `rest`, except that reads lying within `head` (the file's first bytes, already read) are served
 * from it without a system call. The returned bytes may share memory with `head`: parse them
 * before `head` is reused.
 */
export function headedSource(head: Buffer, rest: ByteSource): ByteSource {
  const size = rest.size;
  return {
    size,
    read(offset, length) {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset >= size || length <= 0) return Buffer.alloc(0);
      const end = offset + Math.min(length, MAX_READ, size - offset);
      return end <= head.length ? head.subarray(offset, end) : rest.read(offset, length);
    },
  };
}

/** The high 32 bits of Number.MAX_SAFE_INTEGER (2^53 - 1). */
const MAX_SAFE_HIGH = 0x1fffff;

/** Little/big-endian readers returning undefined when the field lies outside the buffer. */
export class View {
  constructor(
    readonly buf: Buffer,
    readonly little: boolean,
  ) {}
  u8(at: number): number | undefined {
    return at >= 0 && at + 1 <= this.buf.length ? this.buf[at] : undefined;
  }
  u16(at: number): number | undefined {
    if (at < 0 || at + 2 > this.buf.length) return undefined;
    return this.little ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }
  u32(at: number): number | undefined {
    if (at < 0 || at + 4 > this.buf.length) return undefined;
    return this.little ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
  /** 64-bit values beyond 2^53 are returned as undefined: no real offset or size is that large. */
  u64(at: number): number | undefined {
    if (at < 0 || at + 8 > this.buf.length) return undefined;
    // Two 32-bit halves instead of a BigInt (this runs for every dynamic entry of every ELF file).
    const high = this.little ? this.buf.readUInt32LE(at + 4) : this.buf.readUInt32BE(at);
    const low = this.little ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at + 4);
    return high <= MAX_SAFE_HIGH ? high * 2 ** 32 + low : undefined;
  }
}

/** NUL-terminated string starting at `at`, at most `max` bytes; undefined when out of range or unterminated. */
export function cString(buf: Buffer, at: number, max = 4096): string | undefined {
  if (at < 0 || at >= buf.length) return undefined;
  const end = buf.indexOf(0, at);
  if (end < 0 || end - at > max) return undefined;
  return buf.toString('latin1', at, end);
}
