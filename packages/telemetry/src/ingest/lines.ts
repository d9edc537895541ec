import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';

export interface TextLine {
  readonly line: number;
  readonly text: string;
}
export interface OverlongLine {
  readonly line: number;
  readonly overlong: true;
}

/** Lines longer than this are reported and skipped rather than buffered (bounded memory on garbage input). */
export const MAX_LINE_CHARS = 32 * 1024 * 1024;

/** Picks the text encoding from a BOM, or recognises BOM-less UTF-16LE (PowerShell's Out-File default) by its NULs. */
export function sniffEncoding(head: Uint8Array): { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0)
    return { encoding: 'utf-16le', bom: 0 };
  if (head.length >= 4 && head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0)
    return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

/**
 * Streams a text file line by line (LF or CRLF), 1 MiB at a time, decoding UTF-8 or UTF-16. Line numbers are
 * 1-based and count every line, empty ones included, so they match an editor's.
 */
export async function* readLines(path: string): AsyncGenerator<TextLine | OverlongLine> {
  for await (const batch of readLineBatches(path)) yield* batch;
}

/**
 * A UTF-8 line longer than this (in bytes) moves the rest of its file to the streaming TextDecoder, whose
 * character counts decide MAX_LINE_CHARS exactly as before; far below MAX_LINE_CHARS, so nothing changes.
 */
const FAST_CARRY_LIMIT = 1024 * 1024;

/** Bytes per read: large reads mean fewer async hops per line (a Sysmon JSON line is ~2.5 KB). */
const READ_BYTES = 1024 * 1024;
/** What the streaming decoder is fed at a time (the former read size). READ_BYTES must be a multiple. */
const SLOW_PIECE = 64 * 1024;

/**
 * The lines of readLines, one array per chunk read: consumers on the hot path (JSON lines) iterate the array
 * synchronously instead of paying an async-generator round trip per line.
 *
 * UTF-8 (the common case) is decoded per run of whole lines with Buffer#toString rather than a streaming
 * TextDecoder: a cut after a newline byte can never split a sequence, so the text is the same (invalid
 * sequences become U+FFFD either way), but V8's decoder returns one-byte strings for Latin-1 text, which
 * JSON.parse and every later string operation handle faster than the decoder's two-byte strings.
 */
export async function* readLineBatches(path: string): AsyncGenerator<(TextLine | OverlongLine)[]> {
  const stream = createReadStream(path, { highWaterMark: READ_BYTES });
  let decoder: { write(b: Uint8Array): string; end(): string } | undefined;
  let sniffed = false;
  let carry: Buffer | undefined; // UTF-8 fast path: the bytes of the unfinished last line
  let atStart = true; // nothing decoded yet (TextDecoder drops a U+FEFF that starts the stream)
  let pending = '';
  let lineNo = 0;
  let skipping = false; // inside an overlong line: drop text until its end
  const emit = (chunk: string, out: (TextLine | OverlongLine)[]): void => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      lineNo++;
      if (skipping) skipping = false;
      else {
        const text = pending === '' ? chunk.slice(start, nl) : pending + chunk.slice(start, nl);
        out.push({ line: lineNo, text: text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text });
      }
      pending = '';
      start = nl + 1;
    }
    if (skipping) return;
    pending += chunk.slice(start);
    if (pending.length > MAX_LINE_CHARS) {
      out.push({ line: lineNo + 1, overlong: true });
      pending = '';
      skipping = true;
    }
  };
  const decodeLines = (data: Buffer, end: number): string => {
    let text = decodeUtf8(data, end);
    if (atStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    atStart = false;
    return text;
  };
  for await (const buf of stream as AsyncIterable<Buffer>) {
    let from = 0;
    if (!sniffed) {
      sniffed = true;
      const { encoding, bom } = sniffEncoding(buf);
      if (encoding !== 'utf-8') decoder = textDecoder(encoding);
      from = bom;
    }
    const out: (TextLine | OverlongLine)[] = [];
    if (decoder) {
      // 64 KiB at a time, ending where the reads of 64 KiB used to end: the overlong check runs after each
      // piece, so a line is cut exactly where it always was.
      for (let o = 0; o < buf.length; o += SLOW_PIECE) {
        emit(decoder.write(buf.subarray(Math.max(o, from), Math.min(o + SLOW_PIECE, buf.length))), out);
      }
    } else {
      let data = from === 0 ? buf : buf.subarray(from);
      if (carry !== undefined) {
        const nl = data.indexOf(10);
        if (nl >= 0) {
          // Only the unfinished line and its end are copied together; the rest is decoded where it is.
          const head = Buffer.concat([carry, data.subarray(0, nl + 1)]);
          emit(decodeLines(head, head.length), out);
          data = data.subarray(nl + 1);
        } else data = Buffer.concat([carry, data]);
      }
      const last = data.lastIndexOf(10);
      if (last >= 0) emit(decodeLines(data, last + 1), out); // pending is '' and skipping false here: whole lines only
      carry = last + 1 < data.length ? data.subarray(last + 1) : undefined;
      if (carry !== undefined && carry.length > FAST_CARRY_LIMIT) {
        // A very long line: the streaming decoder takes over from its first byte, which follows a newline
        // (or starts the file), so the decoder starts in the same state the old one would be in there.
        decoder = textDecoder('utf-8', !atStart);
        emit(decoder.write(carry), out);
        carry = undefined;
      }
    }
    if (out.length > 0) yield out;
  }
  const out: (TextLine | OverlongLine)[] = [];
  if (carry !== undefined) {
    let text = carry.toString('utf8');
    if (atStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    pending = text;
  }
  if (decoder) emit(decoder.end(), out);
  if (pending !== '' && !skipping) out.push({ line: lineNo + 1, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending });
  if (out.length > 0) yield out;
}

/** Where decodeUtf8 assembles Latin-1 bytes: grown on need, reused (the string it returns is a copy). */
let scratch = Buffer.alloc(0);

/**
 * `b.toString('utf8', 0, end)`, faster for the usual log text: ASCII with a few Latin-1 Supplement characters
 * (®, é, ü: two-byte sequences led by C2 or C3). The text is rewritten as Latin-1 bytes — ASCII runs copied,
 * each two-byte sequence one byte — and decoded once, giving a flat one-byte string (~10× faster than V8's
 * UTF-8 decoder, and no rope of pieces to flatten later). Anything else (other non-ASCII bytes, a lead byte
 * without its continuation) is left to Buffer#toString. `end` must not split a sequence (callers cut after a
 * newline byte), so the two paths give the same string.
 */
export function decodeUtf8(b: Buffer, end: number): string {
  if (isAscii(b.subarray(0, end))) return b.toString('latin1', 0, end);
  if (scratch.length < end) scratch = Buffer.allocUnsafe(end);
  const out = scratch;
  let i2 = b.indexOf(0xc2);
  let i3 = b.indexOf(0xc3);
  if (i2 < 0 || i2 > end) i2 = end;
  if (i3 < 0 || i3 > end) i3 = end;
  let p = 0;
  let w = 0;
  for (;;) {
    const q = Math.min(i2, i3);
    if (q > p) {
      if (!isAscii(b.subarray(p, q))) return b.toString('utf8', 0, end);
      w += b.copy(out, w, p, q);
    }
    if (q === end) return out.toString('latin1', 0, w);
    const c = q + 1 < end ? (b[q + 1] as number) : 0;
    if (c < 0x80 || c > 0xbf) return b.toString('utf8', 0, end);
    out[w++] = (((b[q] as number) & 0x1f) << 6) | (c & 0x3f);
    p = q + 2;
    if (q === i2) {
      i2 = b.indexOf(0xc2, p);
      if (i2 < 0 || i2 > end) i2 = end;
    } else {
      i3 = b.indexOf(0xc3, p);
      if (i3 < 0 || i3 > end) i3 = end;
    }
  }
}

/** A streaming decoder (TextDecoder; invalid sequences become U+FFFD). */
function textDecoder(
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be',
  ignoreBOM = false,
): { write(b: Uint8Array): string; end(): string } {
  const d = new TextDecoder(encoding, { ignoreBOM });
  return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
}
