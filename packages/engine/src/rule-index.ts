import type { ContentKind } from './args.js';
import { DigestTable } from './digest-table.js';
import { isWindowsPattern, literalPrefixSegments, PathTrie } from './glob.js';
import type { CompiledIdentity } from './identity.js';
import type { Subject } from './subject.js';

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
  /** Rules filed under a prefix of a path, by path: depends on the path alone (bounded memo). */
  private readonly byPath = new Map<string, readonly number[]>();
  /** bySha as the hot path reads it; built on first use after the last add. */
  private shaTable: DigestTable<readonly number[]> | undefined;

  /**
   * File a rule. `needsContent` is the content kind every event matching the rule must have (a
   * rule with `script:` needs a script), so such rules are skipped for events without it.
   */
  add(rule: number, program: CompiledIdentity | undefined, needsContent?: ContentKind): void {
    this.shaTable = undefined;
    this.byPath.clear();
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
    this.shaTable = new DigestTable(this.bySha);
  }

  candidates(s: Subject, content: ContentKind): readonly number[] {
    // Hot path: usually one list contributes, and it is returned as is (callers only read it);
    // a merged copy is only made when a second list turns up. No closure, no visitor object.
    let out: readonly number[] = NOTHING;
    if (s.sha256 !== undefined && this.bySha.size > 0) {
      this.shaTable ??= new DigestTable(this.bySha);
      out = join(out, this.shaTable.get(s.sha256));
    }
    if (s.signature !== undefined && this.bySigner.size > 0) out = join(out, this.bySigner.get(s.signature.subject));
    if (s.pkg !== undefined && this.byPackage.size > 0) {
      out = join(out, this.byPackage.get(s.pkg.name));
      out = join(out, this.byPackage.get('*'));
    }
    if (this.byName.size > 0) {
      if (s.basename !== undefined) out = join(out, this.byName.get(s.basename));
      if (s.originalName !== undefined && s.originalName !== s.basename) out = join(out, this.byName.get(s.originalName));
    }
    if (this.hasPaths && s.path !== undefined) out = join(out, this.pathRules(s.path));
    if (content !== 'none' && this.byContent.size > 0) out = join(out, this.byContent.get(content));
    return join(out, this.always);
  }

  /**
   * Rules filed under a prefix of the path. Remembered per path: hosts run the same programs over
   * and over, and the answer depends on the path alone (bounded; starts over when full).
   */
  private pathRules(path: string): readonly number[] {
    const hit = this.byPath.get(path);
    if (hit !== undefined) return hit;
    const rules = this.windowsPaths.collect(path, this.linuxPaths.collect(path, NOTHING, join), join);
    if (this.byPath.size >= PATH_MEMO_LIMIT) this.byPath.clear();
    this.byPath.set(path, rules);
    return rules;
  }
}

const PATH_MEMO_LIMIT = 16_384;

/** Candidates so far plus one more list (each in document order), without repeats. */
function join(out: readonly number[], list: readonly number[] | undefined): readonly number[] {
  if (list === undefined || list.length === 0) return out;
  return out.length === 0 ? list : mergeSorted(out, list);
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
