// Path globs: `*` within one segment, `**` any depth, `?` one character. Patterns that look like
// Windows paths (drive letter or backslash) compare case-insensitively, because NTFS does.

export function isWindowsPattern(pattern: string): boolean {
  return /^[a-zA-Z]:[\\/]/.test(pattern) || pattern.includes('\\');
}

export function normalisePath(path: string): string {
  return path.replace(/\\/g, '/');
}

export function globToRegExp(pattern: string): RegExp {
  const p = normalisePath(pattern);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') {
      if (p[i + 1] === '*') {
        // "/**/" also matches "/": a/**/b matches a/b.
        if (p[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, isWindowsPattern(pattern) ? 'i' : '');
}

/** Leading path segments before the first wildcard: where a trie can file the pattern. */
export function literalPrefixSegments(pattern: string): string[] {
  const segs = normalisePath(pattern).split('/');
  const out: string[] = [];
  for (const s of segs) {
    if (/[*?]/.test(s)) break;
    out.push(isWindowsPattern(pattern) ? s.toLowerCase() : s);
  }
  // A fully literal pattern keeps all its segments; the last is the file name.
  return out;
}

interface TrieNode<T> {
  children: Map<string, TrieNode<T>>;
  items: T[];
}

/** Segment trie: lookup(path) returns every item filed under a prefix of the path. */
export class PathTrie<T> {
  private readonly root: TrieNode<T> = { children: new Map(), items: [] };
  private readonly lower: boolean;
  private size = 0;
  constructor(caseInsensitive: boolean) {
    this.lower = caseInsensitive;
  }
  insert(segments: readonly string[], item: T): void {
    let node = this.root;
    for (const s of segments) {
      let next = node.children.get(s);
      if (!next) {
        next = { children: new Map(), items: [] };
        node.children.set(s, next);
      }
      node = next;
    }
    // The same item filed twice under one node (two globs with one prefix) would come back twice.
    if (node.items.includes(item)) return;
    node.items.push(item);
    this.size++;
  }
  /** Calls `visit` with the items of every node on the path (each list read-only). */
  lookup(path: string, visit: { add(items: readonly T[]): void }): void {
    this.collect<void>(path, undefined, (_, items) => visit.add(items));
  }
  /** Folds the items of every node on the path into `acc` (each list read-only), in path order. */
  collect<A>(path: string, acc: A, fold: (acc: A, items: readonly T[]) => A): A {
    if (this.size === 0) return acc;
    const p = this.lower ? path.toLowerCase() : path;
    let node: TrieNode<T> | undefined = this.root;
    let start = 0;
    let out = acc;
    // Walk segment by segment without splitting (no array per lookup).
    while (node) {
      if (node.items.length > 0) out = fold(out, node.items);
      if (start > p.length) break;
      let end = p.indexOf('/', start);
      if (end < 0) end = p.length;
      node = node.children.get(p.slice(start, end));
      start = end + 1;
    }
    return out;
  }
}
