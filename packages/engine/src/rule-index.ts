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
  private readonly bySha = new Map<string, number[]>();
  private readonly bySigner = new Map<string, number[]>();
  private readonly byPackage = new Map<string, number[]>();
  private readonly byName = new Map<string, number[]>();
  private readonly linuxPaths = new PathTrie<number>(false);
  private readonly windowsPaths = new PathTrie<number>(true);
  private readonly always: number[] = [];
  private hasPaths = false;

  add(rule: number, program: CompiledIdentity | undefined): void {
    if (!program) {
      this.always.push(rule);
      return;
    }
    const file = (map: Map<string, number[]>, key: string) => {
      const list = map.get(key);
      if (list) list.push(rule);
      else map.set(key, [rule]);
    };
    if (program.sha256) for (const h of program.sha256) file(this.bySha, h);
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

  candidates(s: Subject): readonly number[] {
    // Hot path: usually one list contributes, and it is returned as is (callers only read it).
    const c = new Collector();
    if (s.sha256 !== undefined && this.bySha.size > 0) c.add(this.bySha.get(s.sha256));
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
    const out: number[] = [...this.first];
    for (const l of this.rest) for (const r of l) out.push(r);
    out.sort((a, b) => a - b);
    let w = 1;
    for (let r = 1; r < out.length; r++) if (out[r] !== out[w - 1]) out[w++] = out[r] as number;
    out.length = w;
    return out;
  }
}

const NOTHING: readonly number[] = Object.freeze([]);
