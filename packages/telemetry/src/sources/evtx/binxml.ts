/**
 * BinXML decoder for one EVTX chunk.
 *
 * Token streams are decoded into a small tree (`TNode`); template definitions are decoded once per chunk and
 * cached by their chunk offset, then expanded with each record's substitution values (`expand`). Every read is
 * bounds-checked; problems raise `BinXmlError`, which the record loop turns into an issue.
 */
import { filetimeToIso, guidToString, hex64, hexUpper, i64Value, sidToString, systemtimeToIso, u64Value } from './values.js';

export class BinXmlError extends Error {
  /** Chunk-relative offset where decoding failed. */
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.at = at;
  }
}

export type Scalar = string | number | boolean | null;
export interface BinXmlFragment {
  kind: 'binxml';
  nodes: TNode[];
}
export type Value = Scalar | Scalar[] | BinXmlFragment;

export interface TAttr {
  name: string;
  parts: TNode[];
}
export interface TemplateDef {
  offset: number;
  dataSize: number;
  nodes: TNode[];
}
export type TNode =
  | { t: 'e'; name: string; attrs: TAttr[]; children: TNode[] }
  | { t: 'v'; v: Value }
  | { t: 's'; id: number; type: number; opt: boolean }
  | { t: 'c'; code: number }
  | { t: 'r'; name: string }
  | { t: 'd'; text: string }
  | { t: 'p'; target: string; data: string }
  | { t: 'i'; def: TemplateDef; values: Value[] };

/** Expanded output: elements, text values and raw markup (entity references, processing instructions). */
export interface XElement {
  name: string;
  attrs: XAttr[];
  children: XContent[];
}
export interface XAttr {
  name: string;
  value: Scalar | Scalar[];
}
export interface XRaw {
  raw: string;
  text: string;
}
export type XContent = XElement | XRaw | Scalar | Scalar[];

interface Cursor {
  pos: number;
  end: number;
}

const FIXED_SIZES: Record<number, number> = {
  3: 1,
  4: 1,
  5: 2,
  6: 2,
  7: 4,
  8: 4,
  9: 8,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  15: 16,
  17: 8,
  18: 16,
  20: 4,
  21: 8,
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class ChunkDecoder {
  readonly buf: Buffer;
  readonly maxDepth: number;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TemplateDef | BinXmlError>();
  private readonly inProgress = new Set<number>();

  constructor(buf: Buffer, maxDepth: number) {
    this.buf = buf;
    this.maxDepth = maxDepth;
  }

  // ---- primitive reads -------------------------------------------------------------------------------

  private need(p: number, n: number, end: number): void {
    if (p < 0 || p + n > end) throw new BinXmlError(`read of ${n} bytes at ${p} beyond ${end}`, p);
  }
  private u8(p: number, end: number): number {
    this.need(p, 1, end);
    return this.buf[p]!;
  }
  private u16(p: number, end: number): number {
    this.need(p, 2, end);
    return this.buf.readUInt16LE(p);
  }
  private u32(p: number, end: number): number {
    this.need(p, 4, end);
    return this.buf.readUInt32LE(p);
  }
  private utf16(start: number, end: number): string {
    return this.buf.toString('utf16le', start, end);
  }

  // ---- names and templates ---------------------------------------------------------------------------

  private nameAt(off: number): string {
    const cached = this.names.get(off);
    if (cached !== undefined) return cached;
    const len = this.buf.length;
    if (off < 0 || off + 8 > len) throw new BinXmlError(`name offset ${off} outside chunk`, off);
    const count = this.buf.readUInt16LE(off + 6);
    if (off + 8 + count * 2 > len) throw new BinXmlError(`name at ${off} runs past chunk end`, off);
    const name = this.utf16(off + 8, off + 8 + count * 2);
    this.names.set(off, name);
    return name;
  }

  /** Reads a name reference whose 4-byte offset field ends at `fieldEnd`; skips an inline definition. */
  private readName(cur: Cursor, off: number, fieldEnd: number): string {
    const name = this.nameAt(off);
    if (off === fieldEnd) {
      const next = fieldEnd + 8 + name.length * 2 + 2;
      if (next > cur.end) throw new BinXmlError('inline name runs past fragment end', fieldEnd);
      cur.pos = next;
    } else {
      cur.pos = fieldEnd;
    }
    return name;
  }

  private nameOffsetPlausible(off: number, fieldEnd: number): boolean {
    return off === fieldEnd || (off >= 0x80 && off + 8 <= this.buf.length && off < fieldEnd);
  }

  private templateAt(off: number, depth: number): TemplateDef {
    const cached = this.templates.get(off);
    if (cached instanceof BinXmlError) throw cached;
    if (cached !== undefined) return cached;
    if (this.inProgress.has(off)) throw new BinXmlError(`template loop at ${off}`, off);
    const len = this.buf.length;
    if (off < 0x80 || off + 24 > len) {
      const err = new BinXmlError(`template definition offset ${off} outside chunk`, off);
      this.templates.set(off, err);
      throw err;
    }
    const dataSize = this.buf.readUInt32LE(off + 20);
    if (off + 24 + dataSize > len) {
      const err = new BinXmlError(`template definition at ${off} (size ${dataSize}) runs past chunk end`, off);
      this.templates.set(off, err);
      throw err;
    }
    this.inProgress.add(off);
    try {
      const nodes = this.parseFragment(off + 24, off + 24 + dataSize, true, depth + 1);
      const def: TemplateDef = { offset: off, dataSize, nodes };
      this.templates.set(off, def);
      return def;
    } catch (e) {
      const err = e instanceof BinXmlError ? e : new BinXmlError(String(e), off);
      // Depth failures depend on the caller's nesting; other failures are properties of the bytes.
      if (!err.message.startsWith('nesting')) this.templates.set(off, err);
      throw err;
    } finally {
      this.inProgress.delete(off);
    }
  }

  // ---- token stream ----------------------------------------------------------------------------------

  /** Decodes the token stream in [start, end) (chunk-relative) into nodes. */
  parseFragment(start: number, end: number, inTemplate: boolean, depth: number): TNode[] {
    if (depth > this.maxDepth) throw new BinXmlError(`nesting deeper than ${this.maxDepth}`, start);
    if (end > this.buf.length) throw new BinXmlError('fragment runs past chunk end', start);
    const cur: Cursor = { pos: start, end };
    const nodes: TNode[] = [];
    this.parseContent(cur, nodes, inTemplate, depth, true);
    return nodes;
  }

  /** Returns true when an end-element token closed the content, false at end of stream. */
  private parseContent(cur: Cursor, out: TNode[], inTpl: boolean, depth: number, top: boolean): boolean {
    while (cur.pos < cur.end) {
      const tok = this.buf[cur.pos]!;
      switch (tok) {
        case 0x00:
          cur.pos++;
          if (!top) throw new BinXmlError('end of stream inside an element', cur.pos - 1);
          return false;
        case 0x0f:
          this.need(cur.pos, 4, cur.end);
          cur.pos += 4;
          break;
        case 0x01:
        case 0x41:
          out.push(this.parseElement(cur, tok, inTpl, depth + 1));
          break;
        case 0x04:
          if (top) throw new BinXmlError('end element without open element', cur.pos);
          cur.pos++;
          return true;
        case 0x0c:
          out.push(this.parseTemplateInstance(cur, depth + 1));
          break;
        case 0x0a:
        case 0x4a: {
          const fieldEnd = cur.pos + 5;
          const target = this.readName(cur, this.u32(cur.pos + 1, cur.end), fieldEnd);
          let data = '';
          if (cur.pos < cur.end && this.buf[cur.pos] === 0x0b) {
            const n = this.u16(cur.pos + 1, cur.end);
            this.need(cur.pos + 3, n * 2, cur.end);
            data = this.utf16(cur.pos + 3, cur.pos + 3 + n * 2);
            cur.pos += 3 + n * 2;
          }
          out.push({ t: 'p', target, data });
          break;
        }
        default:
          if (!this.parseSimple(cur, tok, out, depth)) {
            throw new BinXmlError(`unexpected token 0x${tok.toString(16)}`, cur.pos);
          }
      }
    }
    if (!top) throw new BinXmlError('element not closed before fragment end', cur.pos);
    return false;
  }

  /** Value, substitution, character/entity reference and CDATA tokens. Returns false for other tokens. */
  private parseSimple(cur: Cursor, tok: number, out: TNode[], depth: number): boolean {
    const p = cur.pos;
    switch (tok) {
      case 0x05:
      case 0x45: {
        const type = this.u8(p + 1, cur.end);
        if (type === 0x01) {
          const n = this.u16(p + 2, cur.end);
          this.need(p + 4, n * 2, cur.end);
          out.push({ t: 'v', v: this.utf16(p + 4, p + 4 + n * 2) });
          cur.pos = p + 4 + n * 2;
        } else if (type === 0x02) {
          const n = this.u16(p + 2, cur.end);
          this.need(p + 4, n, cur.end);
          out.push({ t: 'v', v: this.decodeValue(type, p + 4, n, depth) });
          cur.pos = p + 4 + n;
        } else {
          const size = FIXED_SIZES[type];
          if (size === undefined) throw new BinXmlError(`value token with unsupported type 0x${type.toString(16)}`, p);
          this.need(p + 2, size, cur.end);
          out.push({ t: 'v', v: this.decodeValue(type, p + 2, size, depth) });
          cur.pos = p + 2 + size;
        }
        return true;
      }
      case 0x0d:
      case 0x0e: {
        const id = this.u16(p + 1, cur.end);
        const type = this.u8(p + 3, cur.end);
        out.push({ t: 's', id, type, opt: tok === 0x0e });
        cur.pos = p + 4;
        return true;
      }
      case 0x08:
      case 0x48:
        out.push({ t: 'c', code: this.u16(p + 1, cur.end) });
        cur.pos = p + 3;
        return true;
      case 0x09:
      case 0x49: {
        const name = this.readName(cur, this.u32(p + 1, cur.end), p + 5);
        out.push({ t: 'r', name });
        return true;
      }
      case 0x07:
      case 0x47: {
        const n = this.u16(p + 1, cur.end);
        this.need(p + 3, n * 2, cur.end);
        out.push({ t: 'd', text: this.utf16(p + 3, p + 3 + n * 2) });
        cur.pos = p + 3 + n * 2;
        return true;
      }
      default:
        return false;
    }
  }

  private parseElement(cur: Cursor, tok: number, inTpl: boolean, depth: number): TNode {
    if (depth > this.maxDepth) throw new BinXmlError(`nesting deeper than ${this.maxDepth}`, cur.pos);
    const p = cur.pos + 1;
    // The 2-byte dependency identifier is present inside template definitions and absent in plain fragments
    // (MS-EVEN6); decide per element from which layout yields a plausible name offset.
    const withDep = { field: p + 6, end: p + 10 };
    const noDep = { field: p + 4, end: p + 8 };
    const order = inTpl ? [withDep, noDep] : [noDep, withDep];
    let chosen: { field: number; end: number } | undefined;
    for (const c of order) {
      if (c.end > cur.end) continue;
      if (this.nameOffsetPlausible(this.buf.readUInt32LE(c.field), c.end)) {
        chosen = c;
        break;
      }
    }
    if (chosen === undefined) throw new BinXmlError('open start element with implausible name offset', cur.pos);
    const name = this.readName(cur, this.buf.readUInt32LE(chosen.field), chosen.end);
    const attrs: TAttr[] = [];
    if (tok & 0x40) {
      this.need(cur.pos, 4, cur.end); // attribute list size (not needed for decoding)
      cur.pos += 4;
      while (cur.pos < cur.end) {
        const t = this.buf[cur.pos]!;
        if (t !== 0x06 && t !== 0x46) break;
        const aname = this.readName(cur, this.u32(cur.pos + 1, cur.end), cur.pos + 5);
        const parts: TNode[] = [];
        while (cur.pos < cur.end && this.parseSimple(cur, this.buf[cur.pos]!, parts, depth)) {
          /* collect value parts */
        }
        attrs.push({ name: aname, parts });
      }
    }
    const close = this.u8(cur.pos, cur.end);
    const children: TNode[] = [];
    if (close === 0x02) {
      cur.pos++;
      this.parseContent(cur, children, inTpl, depth, false);
    } else if (close === 0x03) {
      cur.pos++;
    } else {
      throw new BinXmlError(`expected close of start element <${name}>, got 0x${close.toString(16)}`, cur.pos);
    }
    return { t: 'e', name, attrs, children };
  }

  private parseTemplateInstance(cur: Cursor, depth: number): TNode {
    if (depth > this.maxDepth) throw new BinXmlError(`nesting deeper than ${this.maxDepth}`, cur.pos);
    const p = cur.pos;
    this.need(p, 10, cur.end);
    const defOff = this.buf.readUInt32LE(p + 6);
    cur.pos = p + 10;
    let def: TemplateDef;
    if (defOff === cur.pos) {
      def = this.templateAt(defOff, depth);
      cur.pos = defOff + 24 + def.dataSize;
      if (cur.pos > cur.end) throw new BinXmlError('inline template definition runs past fragment end', defOff);
    } else {
      def = this.templateAt(defOff, depth);
    }
    const count = this.u32(cur.pos, cur.end);
    if (count * 4 > cur.end - cur.pos - 4) throw new BinXmlError(`implausible substitution count ${count}`, cur.pos);
    const descStart = cur.pos + 4;
    let vp = descStart + count * 4;
    const values: Value[] = new Array<Value>(count);
    for (let i = 0; i < count; i++) {
      const d = descStart + i * 4;
      const size = this.buf.readUInt16LE(d);
      const type = this.buf[d + 2]!;
      if (vp + size > cur.end) throw new BinXmlError(`substitution ${i} runs past fragment end`, vp);
      values[i] = this.decodeValue(type, vp, size, depth);
      vp += size;
    }
    cur.pos = vp;
    return { t: 'i', def, values };
  }

  // ---- values ----------------------------------------------------------------------------------------

  decodeValue(type: number, p: number, size: number, depth: number): Value {
    const b = this.buf;
    if (type & 0x80) {
      const base = type & 0x7f;
      if (base === 0x01) {
        const s = this.utf16(p, p + (size & ~1));
        const items = s.split('\0');
        if (items.length > 0 && items[items.length - 1] === '') items.pop();
        return items;
      }
      if (base === 0x02) {
        const items = b.toString('latin1', p, p + size).split('\0');
        if (items.length > 0 && items[items.length - 1] === '') items.pop();
        return items;
      }
      const el = base === 0x13 ? 0 : base === 0x10 ? (size % 8 === 0 ? 8 : 4) : FIXED_SIZES[base];
      if (base === 0x13) {
        const out: Scalar[] = [];
        let q = p;
        while (q + 8 <= p + size) {
          const n = 8 + b[q + 1]! * 4;
          out.push(sidToString(b, q, Math.min(n, p + size - q)));
          q += n;
        }
        return out;
      }
      if (el === undefined || el === 0) return hexUpper(b, p, p + size);
      const out: Scalar[] = [];
      for (let q = p; q + el <= p + size; q += el) out.push(this.decodeValue(base, q, el, depth) as Scalar);
      return out;
    }
    switch (type) {
      case 0x00:
        return null;
      case 0x01: {
        let e = p + (size & ~1);
        while (e > p && b[e - 1] === 0 && b[e - 2] === 0) e -= 2;
        return this.utf16(p, e);
      }
      case 0x02: {
        let e = p + size;
        while (e > p && b[e - 1] === 0) e--;
        return b.toString('latin1', p, e);
      }
      case 0x03:
        return size >= 1 ? b.readInt8(p) : null;
      case 0x04:
        return size >= 1 ? b[p]! : null;
      case 0x05:
        return size >= 2 ? b.readInt16LE(p) : null;
      case 0x06:
        return size >= 2 ? b.readUInt16LE(p) : null;
      case 0x07:
        return size >= 4 ? b.readInt32LE(p) : null;
      case 0x08:
        return size >= 4 ? b.readUInt32LE(p) : null;
      case 0x09:
        return size >= 8 ? i64Value(b.readUInt32LE(p), b.readUInt32LE(p + 4)) : null;
      case 0x0a:
        return size >= 8 ? u64Value(b.readUInt32LE(p), b.readUInt32LE(p + 4)) : null;
      case 0x0b:
        return size >= 4 ? finite(b.readFloatLE(p)) : null;
      case 0x0c:
        return size >= 8 ? finite(b.readDoubleLE(p)) : null;
      case 0x0d:
        if (size >= 4) return b.readUInt32LE(p) !== 0;
        return size >= 1 ? b[p] !== 0 : null;
      case 0x0e:
        return hexUpper(b, p, p + size);
      case 0x0f:
        return size >= 16 ? guidToString(b, p) : hexUpper(b, p, p + size);
      case 0x10:
        if (size === 8)
          return `0x${hex64(b.readUInt32LE(p), b.readUInt32LE(p + 4))
            .slice(2)
            .padStart(16, '0')}`;
        if (size === 4) return `0x${b.readUInt32LE(p).toString(16).padStart(8, '0')}`;
        return hexUpper(b, p, p + size);
      case 0x11:
        return size >= 8 ? filetimeToIso(b.readUInt32LE(p), b.readUInt32LE(p + 4)) : null;
      case 0x12:
        return size >= 16 ? systemtimeToIso(b, p) : null;
      case 0x13:
        return sidToString(b, p, size) ?? hexUpper(b, p, p + size);
      case 0x14:
        return size >= 4 ? `0x${b.readUInt32LE(p).toString(16)}` : null;
      case 0x15:
        return size >= 8 ? hex64(b.readUInt32LE(p), b.readUInt32LE(p + 4)) : null;
      case 0x20:
        return size >= 8 ? u64Value(b.readUInt32LE(p), b.readUInt32LE(p + 4)) : size >= 4 ? b.readUInt32LE(p) : null;
      case 0x21:
      case 0x23:
        if (size === 0) return null;
        return { kind: 'binxml', nodes: this.parseFragment(p, p + size, false, depth + 1) };
      default:
        return hexUpper(b, p, p + size);
    }
  }
}

function finite(n: number): number | string {
  return Number.isFinite(n) ? n : String(n);
}

// ---- expansion ---------------------------------------------------------------------------------------

export interface ExpandBudget {
  nodes: number;
  maxNodes: number;
  /** UTF-16 code units of names and text produced so far (guards against amplification through templates). */
  chars: number;
  maxChars: number;
  maxDepth: number;
}

function tick(budget: ExpandBudget, at: number): void {
  if (++budget.nodes > budget.maxNodes) throw new BinXmlError(`record expands to more than ${budget.maxNodes} nodes`, at);
}

function charge(budget: ExpandBudget, v: Value | string): void {
  if (typeof v === 'string') budget.chars += v.length;
  else if (Array.isArray(v)) for (const x of v) budget.chars += typeof x === 'string' ? x.length : 8;
  else budget.chars += 8;
  if (budget.chars > budget.maxChars) throw new BinXmlError(`record expands to more than ${budget.maxChars} characters`, 0);
}

function isFragment(v: Value | undefined): v is BinXmlFragment {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarText(v: Scalar | Scalar[]): string {
  if (Array.isArray(v)) return v.map((x) => (x === null ? '' : String(x))).join(',');
  return v === null ? '' : String(v);
}

/** Flattens content to text (used when a fragment value lands in an attribute). */
function contentText(items: XContent[]): string {
  let s = '';
  for (const c of items) {
    if (Array.isArray(c) || c === null || typeof c !== 'object') s += scalarText(c);
    else if ('raw' in c) s += c.text;
    else s += contentText(c.children);
  }
  return s;
}

/** Expands decoded nodes with substitution `values`, appending to `out`. */
export function expand(nodes: TNode[], values: Value[], out: XContent[], budget: ExpandBudget, depth: number): void {
  if (depth > budget.maxDepth) throw new BinXmlError(`expansion nesting deeper than ${budget.maxDepth}`, 0);
  for (const n of nodes) {
    tick(budget, 0);
    switch (n.t) {
      case 'e': {
        const el: XElement = { name: n.name, attrs: [], children: [] };
        charge(budget, n.name);
        for (const a of n.attrs) {
          tick(budget, 0);
          charge(budget, a.name);
          const parts: XContent[] = [];
          let dropped = 0;
          for (const part of a.parts) {
            if (part.t === 's') {
              const v = values[part.id];
              if (part.opt && (v === null || v === undefined)) {
                dropped++;
                continue;
              }
              if (v !== undefined && v !== null && !isFragment(v)) {
                charge(budget, v);
                parts.push(v);
                continue;
              }
            } else if (part.t === 'v' && !isFragment(part.v)) {
              charge(budget, part.v);
              parts.push(part.v);
              continue;
            }
            expand([part], values, parts, budget, depth + 1);
          }
          if (a.parts.length > 0 && dropped === a.parts.length) continue;
          let value: Scalar | Scalar[];
          const only = parts[0];
          if (parts.length === 1 && only !== undefined && (Array.isArray(only) || only === null || typeof only !== 'object')) {
            value = only;
          } else value = contentText(parts);
          el.attrs.push({ name: a.name, value });
        }
        expand(n.children, values, el.children, budget, depth + 1);
        out.push(el);
        break;
      }
      case 'v':
        if (isFragment(n.v)) expand(n.v.nodes, [], out, budget, depth + 1);
        else {
          charge(budget, n.v);
          out.push(n.v);
        }
        break;
      case 's': {
        const v = values[n.id];
        if (v === undefined || v === null) break;
        if (isFragment(v)) expand(v.nodes, [], out, budget, depth + 1);
        else {
          charge(budget, v);
          out.push(v);
        }
        break;
      }
      case 'c':
        out.push({ raw: `&#${n.code};`, text: String.fromCharCode(n.code) });
        break;
      case 'r':
        out.push({ raw: `&${n.name};`, text: ENTITIES[n.name] ?? `&${n.name};` });
        break;
      case 'd':
        charge(budget, n.text);
        out.push(n.text);
        break;
      case 'p':
        out.push({ raw: `<?${n.target}${n.data ? ` ${n.data}` : ''}?>`, text: '' });
        break;
      case 'i':
        expand(n.def.nodes, n.values, out, budget, depth + 1);
        break;
    }
  }
}
