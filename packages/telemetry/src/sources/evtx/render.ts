/**
 * Rendering of expanded BinXML (`XContent`) to JSON and XML.
 *
 * JSON mapping (documented contract):
 * - an element with neither attributes nor child elements becomes its text value: null when empty, the typed value
 *   (number, boolean, string, array) when it is a single substitution, otherwise the concatenated string;
 * - otherwise an object: attributes as keys (typed when the attribute is one substitution), child elements as keys
 *   (an array when a name repeats), text under "#text"; an attribute that collides with a child name is kept as "@name";
 * - `EventData` is special: `Data` children with a `Name` attribute become `EventData.Data = { Name: value }`,
 *   unnamed `Data` children are listed in order in `EventData.DataValues`; other children (e.g. Binary) are generic.
 */
import type { Scalar, XAttr, XContent, XElement } from './binxml.js';
import type { JsonObject, JsonValue } from './types.js';

function isElement(c: XContent): c is XElement {
  return typeof c === 'object' && c !== null && !Array.isArray(c) && 'children' in c;
}

function scalarString(v: Scalar): string {
  return v === null ? '' : String(v);
}

function textOf(c: XContent): string {
  if (Array.isArray(c)) return c.map(scalarString).join(',');
  if (c === null || typeof c !== 'object') return scalarString(c);
  if ('raw' in c) return c.text;
  return '';
}

function textValue(parts: XContent[]): JsonValue {
  if (parts.length === 0) return null;
  if (parts.length === 1) {
    const p = parts[0]!;
    if (Array.isArray(p)) return p;
    if (p === null || typeof p !== 'object') return p;
  }
  let s = '';
  for (const p of parts) s += textOf(p);
  return s;
}

/** Arrays created by repeated child names (as opposed to array-typed values). */
const multi = new WeakSet<JsonValue[]>();

function addRepeated(obj: JsonObject, attrKeys: Set<string>, key: string, value: JsonValue): void {
  if (attrKeys.has(key)) {
    obj[`@${key}`] = obj[key]!;
    attrKeys.delete(key);
    delete obj[key];
  }
  if (!Object.hasOwn(obj, key)) {
    obj[key] = value;
    return;
  }
  const prev = obj[key]!;
  if (Array.isArray(prev) && multi.has(prev)) prev.push(value);
  else {
    const arr: JsonValue[] = [prev, value];
    multi.add(arr);
    obj[key] = arr;
  }
}

function attrJson(a: XAttr): JsonValue {
  return a.value;
}

export function elementToJson(el: XElement): JsonValue {
  const elements: XElement[] = [];
  const text: XContent[] = [];
  for (const c of el.children) {
    if (isElement(c)) elements.push(c);
    else text.push(c);
  }
  if (el.attrs.length === 0 && elements.length === 0) return textValue(text);
  const obj: JsonObject = {};
  const attrKeys = new Set<string>();
  for (const a of el.attrs) {
    obj[a.name] = attrJson(a);
    attrKeys.add(a.name);
  }
  if (el.name === 'EventData') {
    let data: JsonObject | undefined;
    let values: JsonValue[] | undefined;
    for (const c of elements) {
      if (c.name === 'Data') {
        const nameAttr = c.attrs.find((a) => a.name === 'Name');
        const v = dataValue(c);
        if (nameAttr !== undefined && nameAttr.value !== null) {
          data ??= {};
          data[textOf(nameAttr.value)] = v;
        } else {
          values ??= [];
          values.push(v);
        }
      } else {
        addRepeated(obj, attrKeys, c.name, elementToJson(c));
      }
    }
    if (data !== undefined) addRepeated(obj, attrKeys, 'Data', data);
    if (values !== undefined) addRepeated(obj, attrKeys, 'DataValues', values);
  } else {
    for (const c of elements) addRepeated(obj, attrKeys, c.name, elementToJson(c));
  }
  const hasText = text.some((t) => textOf(t).trim() !== '');
  if (hasText) obj['#text'] = textValue(text);
  return obj;
}

/** Value of an EventData/Data element: its text value, or its generic object when it has child elements. */
function dataValue(c: XElement): JsonValue {
  const hasElements = c.children.some(isElement);
  if (hasElements) {
    const copy: XElement = { name: c.name, attrs: c.attrs.filter((a) => a.name !== 'Name'), children: c.children };
    return elementToJson(copy);
  }
  return textValue(c.children);
}

/** Renders expanded top-level content as a JSON object keyed by root element name(s). */
export function contentToJson(content: XContent[]): JsonObject {
  const obj: JsonObject = {};
  const none = new Set<string>();
  for (const c of content) if (isElement(c)) addRepeated(obj, none, c.name, elementToJson(c));
  const ev = obj.Event;
  if (isObject(ev) && isObject(ev.System)) typeSystem(ev.System);
  return obj;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DECIMAL = /^\d{1,15}$/;

function toNumber(v: JsonValue | undefined): JsonValue | undefined {
  return typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v;
}

/**
 * Records stored as plain BinXML (no templates, e.g. forwarded or exported logs) carry every System value as
 * text. The numeric System fields are typed here so both storage forms give the same JSON.
 */
function typeSystem(sys: JsonObject): void {
  for (const k of ['EventID', 'Version', 'Level', 'Task', 'Opcode', 'EventRecordID']) {
    const v = sys[k];
    if (isObject(v)) {
      for (const a of ['#text', 'Qualifiers']) if (a in v) v[a] = toNumber(v[a]) ?? null;
    } else if (v !== undefined) sys[k] = toNumber(v) ?? null;
  }
  const ex = sys.Execution;
  if (isObject(ex)) for (const a of ['ProcessID', 'ThreadID']) if (a in ex) ex[a] = toNumber(ex[a]) ?? null;
}

// ---- XML ---------------------------------------------------------------------------------------------

function esc(s: string, attr: boolean): string {
  let out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attr) out = out.replace(/"/g, '&quot;');
  return out;
}

function xmlText(c: XContent): string {
  if (Array.isArray(c)) return esc(c.map(scalarString).join(','), false);
  if (c === null || typeof c !== 'object') return esc(scalarString(c), false);
  if ('raw' in c) return c.raw;
  return elementToXml(c);
}

export function elementToXml(el: XElement): string {
  let s = `<${el.name}`;
  for (const a of el.attrs) {
    const v = Array.isArray(a.value) ? a.value.map(scalarString).join(',') : scalarString(a.value);
    s += ` ${a.name}="${esc(v, true)}"`;
  }
  if (el.children.length === 0) return `${s}/>`;
  s += '>';
  for (const c of el.children) s += xmlText(c);
  return `${s}</${el.name}>`;
}

export function contentToXml(content: XContent[]): string {
  let s = '';
  for (const c of content) s += xmlText(c);
  return s;
}
