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
    const v = this.little ? this.buf.readBigUInt64LE(at) : this.buf.readBigUInt64BE(at);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  }
}

/** NUL-terminated string starting at `at`, at most `max` bytes; undefined when out of range or unterminated. */
export function cString(buf: Buffer, at: number, max = 4096): string | undefined {
  if (at < 0 || at >= buf.length) return undefined;
  const end = buf.indexOf(0, at);
  if (end < 0 || end - at > max) return undefined;
  return buf.toString('latin1', at, end);
}
