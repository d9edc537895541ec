import type { ContentKind } from './args.js';
import { isWindowsPattern, literalPrefixSegments, PathTrie } from './glob.js';
import type { CompiledIdentity } from './identity.js';
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
    // Hot path: usually one list contributes, and it is returned as is (callers only read it);
    // the collector object is only made when a second list turns up.
    let first: readonly number[] | undefined;
    let more: Collector | undefined;
    const offer = (list: readonly number[] | undefined) => {
      if (list === undefined || list.length === 0) return;
      if (first === undefined) {
        first = list;
        return;
      }
      more ??= new Collector(first);
      more.add(list);
    };
    if (s.sha256 !== undefined && this.bySha.size > 0) offer(hashLookup(this.bySha, s.sha256));
    if (s.signature !== undefined && this.bySigner.size > 0) offer(this.bySigner.get(s.signature.subject));
    if (s.pkg !== undefined && this.byPackage.size > 0) {
      offer(this.byPackage.get(s.pkg.name));
      offer(this.byPackage.get('*'));
    }
    if (this.byName.size > 0) {
      if (s.basename !== undefined) offer(this.byName.get(s.basename));
      if (s.originalName !== undefined && s.originalName !== s.basename) offer(this.byName.get(s.originalName));
    }
    if (this.hasPaths && s.path !== undefined) {
      const visit = { add: offer };
      this.linuxPaths.lookup(s.path, visit);
      this.windowsPaths.lookup(s.path, visit);
    }
    if (content !== 'none' && this.byContent.size > 0) offer(this.byContent.get(content));
    offer(this.always);
    return more ? more.result() : (first ?? NOTHING);
  }
}

/** Merges candidate lists (each in document order) into one, without repeats. */
class Collector {
  private out: readonly number[];
  constructor(first: readonly number[]) {
    this.out = first;
  }
  add(list: readonly number[]): void {
    this.out = mergeSorted(this.out, list);
  }
  result(): readonly number[] {
    return this.out;
  }
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
    const next = Math.min(x, y);
    if (x === next) i++;
    if (y === next) j++;
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

const NOTHING: readonly number[] = Object.freeze([]);
