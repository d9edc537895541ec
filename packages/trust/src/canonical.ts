import { createHash } from 'node:crypto';
import { TrustError } from './errors.js';

/**
 * Canonical JSON: the bytes that are hashed and signed. It is RFC 8785 (JCS) restricted to the
 * values ExecGuard signs, so any JCS implementation reproduces it:
 * - no whitespace; object keys sorted by UTF-16 code units (JavaScript's default sort, as JCS);
 * - strings escaped as JSON.stringify does (`"` `\\` and U+0000–U+001F only, short forms where
 *   they exist, otherwise \u00xx lower-case); lone surrogates are refused (not valid UTF-8);
 * - numbers as ECMAScript Number.prototype.toString (JSON.stringify), finite only, -0 as 0;
 * - object properties whose value is `undefined` are omitted (as JSON.stringify); `undefined`,
 *   functions, symbols, bigints and non-plain objects (Date, Map, class instances…) are refused,
 *   so nothing is silently converted;
 * - the result is encoded as UTF-8.
 * Nesting deeper than MAX_DEPTH is refused so that hostile input cannot exhaust the stack.
 */
export const MAX_DEPTH = 200;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, 0);
  return out.join('');
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function fail(message: string): never {
  throw new TrustError('E_INVALID_INPUT', `cannot canonicalise: ${message}`);
}

function str(s: string, out: string[]): void {
  if (LONE_SURROGATE.test(s)) fail('string with a lone surrogate');
  out.push(JSON.stringify(s));
}

function write(v: unknown, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH}`);
  if (v === null) {
    out.push('null');
    return;
  }
  switch (typeof v) {
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(v)) fail(`non-finite number ${v}`);
      out.push(JSON.stringify(v));
      return;
    case 'string':
      str(v, out);
      return;
    case 'object':
      break;
    default:
      fail(`value of type ${typeof v}`);
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      const item: unknown = v[i];
      if (item === undefined) fail('undefined in an array');
      write(item, out, depth + 1);
    }
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) fail('an object that is not a plain JSON object');
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  out.push('{');
  let first = true;
  for (const k of keys) {
    const item = obj[k];
    if (item === undefined) continue;
    if (!first) out.push(',');
    first = false;
    str(k, out);
    out.push(':');
    write(item, out, depth + 1);
  }
  out.push('}');
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
