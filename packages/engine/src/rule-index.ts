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

  candidates(s: Subject): number[] {
    const out: number[] = [];
    let sources = 0;
    const take = (list: readonly number[] | undefined) => {
      if (!list || list.length === 0) return;
      sources++;
      for (const r of list) out.push(r);
    };
    if (s.sha256) take(this.bySha.get(s.sha256));
    if (s.signature) take(this.bySigner.get(s.signature.subject));
    if (s.pkg) {
      take(this.byPackage.get(s.pkg.name));
      take(this.byPackage.get('*'));
    }
    if (s.basename) take(this.byName.get(s.basename));
    if (s.originalName && s.originalName !== s.basename) take(this.byName.get(s.originalName));
    if (this.hasPaths && s.path) {
      const before = out.length;
      this.linuxPaths.lookup(s.path, out);
      this.windowsPaths.lookup(s.path, out);
      // A rule filed under several paths can come back twice: force the de-duplication below.
      if (out.length > before) sources += out.length - before;
    }
    take(this.always);
    if (sources <= 1) return out;
    out.sort((a, b) => a - b);
    return out.filter((r, i) => i === 0 || out[i - 1] !== r);
  }
}
