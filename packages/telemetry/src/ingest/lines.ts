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
 * Streams a text file line by line (LF or CRLF), 64 KiB at a time, decoding UTF-8 or UTF-16. Line numbers are
 * 1-based and count every line, empty ones included, so they match an editor's.
 */
export async function* readLines(path: string): AsyncGenerator<TextLine | OverlongLine> {
  for await (const batch of readLineBatches(path)) yield* batch;
}

/**
 * The lines of readLines, one array per chunk read: consumers on the hot path (JSON lines) iterate the array
 * synchronously instead of paying an async-generator round trip per line.
 */
export async function* readLineBatches(path: string): AsyncGenerator<(TextLine | OverlongLine)[]> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  let decoder: { write(b: Uint8Array): string; end(): string } | undefined;
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
  for await (const buf of stream as AsyncIterable<Buffer>) {
    let bytes: Uint8Array = buf;
    if (!decoder) {
      const { encoding, bom } = sniffEncoding(buf);
      decoder = textDecoder(encoding);
      bytes = buf.subarray(bom);
    }
    const out: (TextLine | OverlongLine)[] = [];
    emit(decoder.write(bytes), out);
    if (out.length > 0) yield out;
  }
  const out: (TextLine | OverlongLine)[] = [];
  if (decoder) emit(decoder.end(), out);
  if (pending !== '' && !skipping) out.push({ line: lineNo + 1, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending });
  if (out.length > 0) yield out;
}

/** A streaming decoder (TextDecoder; invalid sequences become U+FFFD). */
function textDecoder(encoding: 'utf-8' | 'utf-16le' | 'utf-16be'): { write(b: Uint8Array): string; end(): string } {
  const d = new TextDecoder(encoding);
  return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
}
