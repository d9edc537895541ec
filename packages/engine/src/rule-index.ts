import { isWindowsPattern, literalPrefixSegments, PathTrie } from './glob.js';
import type { CompiledIdentity } from './identity.js';
import type { ContentKind } from './args.js';
import { hashLookup, type Subject } from './subject.js';

/**
 * Finds the rules that could match a program without testing them all: each rule is filed under
 * one key of its program identity (the most selective one), and a lookup probes the subject's
 * hash, signer, package, names and path. Rules without a program identity are always candidates.
 * Candidates come back in document order; the caller still tests every condition.
 */
export class RuleIndex {
  private readonly bySha = new Map<string, readonly number[]>();
  private readonly bySigner = new Map<string, number[]>();
  private readonly byPackage = new Map<string, number[]>();
  private readonly byName = new Map<string, number[]>();
  private readonly linuxPaths = new PathTrie<number>(false);
  private readonly windowsPaths = new PathTrie<number>(true);
  private readonly always: number[] = [];
  /** Rules without a program identity that only hold for one content kind (script, inline, stdin). */
  private readonly byContent = new Map<ContentKind, number[]>();
  private hasPaths = false;

  /**
   * File a rule. `needsContent` is the content kind every event matching the rule must have (a
   * rule with `script:` needs a script), so such rules are skipped for events without it.
   */
  add(rule: number, program: CompiledIdentity | undefined, needsContent?: ContentKind): void {
    if (!program) {
      if (needsContent && needsContent !== 'none') {
        const list = this.byContent.get(needsContent);
        if (list) list.push(rule);
        else this.byContent.set(needsContent, [rule]);
      } else this.always.push(rule);
      return;
    }
    const file = (map: Map<string, number[]>, key: string) => {
      const list = map.get(key);
      if (list) list.push(rule);
      else map.set(key, [rule]);
    };
    // Filed by hash means: a candidate only when the program's hash is listed (callers rely on it).
    if (program.sha256) for (const h of program.sha256) this.bySha.set(h, [...(this.bySha.get(h) ?? []), rule]);
    else if (program.signer) file(this.bySigner, program.signer.subject);
    else if (program.pkg) for (const n of program.pkg.names ?? ['*']) file(this.byPackage, n);
    else if (program.names) for (const n of program.names) file(this.byName, n);
    else if (program.source.path) {
      this.hasPaths = true;
      for (const p of program.source.path) {
        (isWindowsPattern(p) ? this.windowsPaths : this.linuxPaths).insert(literalPrefixSegments(p), rule);
      }
    } else this.always.push(rule);
  }

  /** Call once after the last add: hashes with equal rule lists share one array (less memory, warmer cache). */
  seal(): void {
    const shared = new Map<string, readonly number[]>();
    for (const [h, list] of this.bySha) {
      const key = list.join(',');
      const same = shared.get(key);
      if (same) this.bySha.set(h, same);
      else shared.set(key, list);
    }
  }

  candidates(s: Subject, content: ContentKind): readonly number[] {
    // Hot path: usually one list contributes, and it is returned as is (callers only read it).
    const c = new Collector();
    if (s.sha256 !== undefined && this.bySha.size > 0) c.add(hashLookup(this.bySha, s.sha256));
    if (s.signature !== undefined && this.bySigner.size > 0) c.add(this.bySigner.get(s.signature.subject));
    if (s.pkg !== undefined && this.byPackage.size > 0) {
      c.add(this.byPackage.get(s.pkg.name));
      c.add(this.byPackage.get('*'));
    }
    if (this.byName.size > 0) {
      if (s.basename !== undefined) c.add(this.byName.get(s.basename));
      if (s.originalName !== undefined && s.originalName !== s.basename) c.add(this.byName.get(s.originalName));
    }
    if (this.hasPaths && s.path !== undefined) {
      this.linuxPaths.lookup(s.path, c);
      this.windowsPaths.lookup(s.path, c);
    }
    if (content !== 'none' && this.byContent.size > 0) c.add(this.byContent.get(content));
    c.add(this.always);
    return c.result();
  }
}

/** Gathers candidate lists; merges (sorted, unique) only when more than one contributes. */
class Collector {
  private first: readonly number[] | undefined = undefined;
  private rest: (readonly number[])[] | undefined = undefined;
  add(list: readonly number[] | undefined): void {
    if (list === undefined || list.length === 0) return;
    if (this.first === undefined) this.first = list;
    else (this.rest ??= []).push(list);
  }
  result(): readonly number[] {
    if (this.first === undefined) return NOTHING;
    if (this.rest === undefined) return this.first;
    // Every list is in document order already: merge, dropping repeats.
    let out = this.first as readonly number[];
    for (const l of this.rest) out = mergeSorted(out, l);
    return out;
  }
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
    const next = x <= y ? x : y;
    if (x === next) i++;
    if (y === next) j++;
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

const NOTHING: readonly number[] = Object.freeze([]);
