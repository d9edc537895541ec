import type { OverlongLine, TextLine } from './lines.js';

export type JsonDoc = { readonly line: number; readonly value: unknown } | { readonly line: number; readonly error: string };

/** A multi-line JSON document larger than this is reported and dropped. */
export const MAX_DOC_CHARS = 64 * 1024 * 1024;

/**
 * JSON values from lines: JSON lines, pretty-printed objects one after another (evtx_dump's default output),
 * or one top-level array whose elements are streamed one by one with the line each starts on. A bracket
 * scanner that understands strings finds where each value ends, so a value may span any number of lines.
 */
export async function* jsonDocuments(lines: AsyncIterable<TextLine | OverlongLine>): AsyncGenerator<JsonDoc> {
  const scan = jsonScanner();
  const out: JsonDoc[] = [];
  for await (const l of lines) {
    scan.push(l, out);
    yield* out;
    out.length = 0;
  }
  scan.end(out);
  yield* out;
}

/** jsonDocuments over batches of lines (readLineBatches), yielding the documents of each batch as one array. */
export async function* jsonDocumentBatches(batches: AsyncIterable<(TextLine | OverlongLine)[]>): AsyncGenerator<JsonDoc[]> {
  const scan = jsonScanner();
  for await (const batch of batches) {
    const out: JsonDoc[] = [];
    for (const l of batch) scan.push(l, out);
    if (out.length > 0) yield out;
  }
  const rest: JsonDoc[] = [];
  scan.end(rest);
  if (rest.length > 0) yield rest;
}

/** The scanner's state machine, fed one line at a time (synchronous, so batches need no async hop per line). */
function jsonScanner(): { push(l: TextLine | OverlongLine, out: JsonDoc[]): void; end(out: JsonDoc[]): void } {
  let buf = '';
  let startLine = 0;
  let depth = 0; // nesting depth inside the current value (array mode: inside the current element)
  let inString = false;
  let escaped = false;
  let arrayMode = false; // inside a top-level array: elements are the documents
  const push = (l: TextLine | OverlongLine, out: JsonDoc[]): void => {
    if ('overlong' in l) {
      out.push({ line: l.line, error: 'line too long' });
      buf = '';
      depth = 0;
      inString = false;
      return;
    }
    const text = l.text;
    // Fast path: a whole JSON line.
    if (depth === 0 && !arrayMode) {
      const t = text.trim();
      if (t === '') return;
      if (t.startsWith('{') && t.endsWith('}')) {
        let value: unknown;
        let ok = true;
        try {
          value = JSON.parse(t);
        } catch {
          ok = false;
          // may be the first line of a pretty-printed value, or garbage: the scanner decides
        }
        if (ok) {
          out.push({ line: l.line, value });
          return;
        }
      }
    }
    let segStart = depth > 0 ? 0 : -1; // where the current value's text starts on this line
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (depth === 0) {
        if (c === ' ' || c === '\t' || c === '\r' || c === ',') continue;
        if (!arrayMode && c === '[') {
          arrayMode = true;
          continue;
        }
        if (arrayMode && c === ']') {
          arrayMode = false;
          continue;
        }
        if (c !== '{' && c !== '[') {
          out.push({ line: l.line, error: `unexpected "${c}" where a JSON value should start` });
          break; // skip the rest of this line
        }
        startLine = l.line;
        buf = '';
        segStart = i;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          out.push(parseDoc(buf + text.slice(segStart, i + 1), startLine));
          buf = '';
          segStart = -1;
        }
      }
    }
    if (depth > 0) {
      buf += `${text.slice(Math.max(segStart, 0))}\n`;
      if (buf.length > MAX_DOC_CHARS) {
        out.push({ line: startLine, error: 'JSON document too large' });
        buf = '';
        depth = 0;
        inString = false;
        escaped = false;
      }
    }
  };
  const end = (out: JsonDoc[]): void => {
    if (depth > 0) out.push({ line: startLine, error: 'truncated JSON document (end of file inside it)' });
  };
  return { push, end };
}

function parseDoc(text: string, line: number): JsonDoc {
  try {
    return { line, value: JSON.parse(text) };
  } catch (e) {
    return { line, error: `invalid JSON: ${(e as Error).message}` };
  }
}
