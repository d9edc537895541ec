import type { InterpreterSpec, Platform } from '@execguard/schema';

export { argumentString } from '@execguard/schema';

export type ContentKind = 'none' | 'inline' | 'script' | 'stdin';

export interface ParsedInterpreterArgs {
  readonly inline: boolean;
  readonly script: string | undefined;
  readonly stdinFlag: boolean;
  /** The argument that made it inline or stdin, for explanations. */
  readonly flag: string | undefined;
}

const NOTHING: ParsedInterpreterArgs = Object.freeze({ inline: false, script: undefined, stdinFlag: false, flag: undefined });

const norm = (spec: InterpreterSpec, s: string) => (spec.caseInsensitiveFlags ? s.toLowerCase() : s);

/** `a` names flag `f`: exactly, or as an unambiguous-enough prefix ("-enc") when the interpreter allows that. */
function names(spec: InterpreterSpec, a: string, f: string): boolean {
  const x = norm(spec, a);
  const y = norm(spec, f);
  return x === y || (spec.flagPrefixes === true && x.length >= 3 && y.startsWith(x));
}

/** `a` is a cluster of short options (-xc, -Bc) containing the one-letter flag `f`; the cluster ends at a letter that takes a value, or at a non-letter. */
function inCluster(spec: InterpreterSpec, a: string, f: string): boolean {
  if (!spec.clusteredShortFlags || f.length !== 2 || f[0] !== '-' || a.length < 3 || a[0] !== '-' || a[1] === '-') return false;
  const letter = norm(spec, f)[1];
  for (let i = 1; i < a.length; i++) {
    const c = a[i] as string;
    if (norm(spec, c) === letter) return true;
    if (!/[A-Za-z]/.test(c) || (spec.valueFlags ?? []).some((v) => norm(spec, v) === norm(spec, `-${c}`))) return false;
  }
  return false;
}

/** The inline flag `a` stands for, if any: exact or prefix, in a cluster, or with its value attached. */
function inlineFlagOf(spec: InterpreterSpec, a: string): string | undefined {
  const x = norm(spec, a);
  for (const f of spec.inlineFlags) {
    const y = norm(spec, f);
    if (names(spec, a, f) || inCluster(spec, a, f) || x.startsWith(`${y}=`)) return f;
    // A one-letter flag with its value attached (python3 -cprint(1), cmd /cdir). Not for
    // prefix-style interpreters, where "-c…" is another flag (PowerShell -ConfigurationName).
    if (
      !spec.flagPrefixes &&
      !spec.clusteredShortFlags &&
      y.length === 2 &&
      x.length > 2 &&
      x.startsWith(y) &&
      !x.startsWith('--')
    ) {
      return f;
    }
  }
  return undefined;
}

/**
 * Reads an interpreter's argv (after argv[0]) the way the interpreter would, as far as it matters
 * (spec §3): per argument, inline flag, script flag, stdin flag, value flag, other option, operand.
 */
export function parseInterpreterArgs(spec: InterpreterSpec, args: readonly string[], platform: Platform): ParsedInterpreterArgs {
  const slashOptions = platform === 'windows' && spec.caseInsensitiveFlags === true;
  for (let i = 1; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      const next = args[i + 1];
      return spec.scriptOperand === 'first-operand' && next
        ? { inline: false, script: next, stdinFlag: false, flag: undefined }
        : NOTHING;
    }
    const flag = inlineFlagOf(spec, a);
    if (flag) return { inline: true, script: undefined, stdinFlag: false, flag: a };
    if (spec.scriptFlags?.some((f) => names(spec, a, f)))
      return { inline: false, script: args[i + 1], stdinFlag: false, flag: undefined };
    if (spec.stdinFlags?.some((f) => names(spec, a, f) || inCluster(spec, a, f))) {
      return { inline: false, script: undefined, stdinFlag: true, flag: a };
    }
    if (spec.valueFlags?.some((f) => names(spec, a, f))) {
      i++;
      continue;
    }
    if (a.startsWith('-') || (slashOptions && a.startsWith('/'))) continue;
    // An operand: the script, or (cmd.exe) not a script — then later flags still count.
    if (spec.scriptOperand === 'first-operand') return { inline: false, script: a, stdinFlag: false, flag: undefined };
  }
  return NOTHING;
}

/** Joins a relative script path to the working directory and folds "." and "..". */
export function resolveScriptPath(script: string, cwd: string | undefined): string {
  const s = script.replace(/\\/g, '/');
  const absolute = s.startsWith('/') || /^[a-zA-Z]:\//.test(s);
  if (absolute || !cwd) return s;
  const joined = `${cwd.replace(/\\/g, '/').replace(/\/+$/, '')}/${s}`;
  const out: string[] = [];
  for (const [i, seg] of joined.split('/').entries()) {
    if (seg === '.' || (seg === '' && i > 0)) continue;
    if (seg === '..') {
      if (out.length > 1) out.pop();
    } else out.push(seg);
  }
  return out.length === 1 && out[0] === '' ? '/' : out.join('/');
}
