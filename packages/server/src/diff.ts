/** One difference between two JSON documents, at a JSON pointer. */
export interface Change {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const keyed = (a: unknown[]) =>
  a.every((x) => isObj(x) && typeof x.id === 'string') && new Set(a.map((x) => (x as { id: string }).id)).size === a.length;

/**
 * Structural diff. Lists of objects with unique ids (rules, scopes, exceptions, windows) are
 * compared by id, so inserting a rule shows as one added rule, not every later rule as changed;
 * their pointers use the id ("/rules/allow-hmi/match") to stay readable across versions.
 */
export function diff(a: unknown, b: unknown, path = ''): Change[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObj(a) && isObj(b)) {
    const out: Change[] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = `${path}/${esc(k)}`;
      if (!(k in b)) out.push({ op: 'remove', path: p, from: a[k] });
      else if (!(k in a)) out.push({ op: 'add', path: p, to: b[k] });
      else out.push(...diff(a[k], b[k], p));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && keyed(a) && keyed(b)) {
    const am = new Map(a.map((x) => [(x as { id: string }).id, x]));
    const bm = new Map(b.map((x) => [(x as { id: string }).id, x]));
    const out: Change[] = [];
    for (const [id, x] of am) if (!bm.has(id)) out.push({ op: 'remove', path: `${path}/${esc(id)}`, from: x });
    for (const [id, y] of bm) {
      const x = am.get(id);
      if (x === undefined) out.push({ op: 'add', path: `${path}/${esc(id)}`, to: y });
      else out.push(...diff(x, y, `${path}/${esc(id)}`));
    }
    return out;
  }
  return [{ op: 'replace', path: path || '/', from: a, to: b }];
}
