import type { InterpreterSpec } from '@execguard/schema';

export type ContentKind = 'none' | 'inline' | 'script' | 'stdin';

export interface ParsedInterpreterArgs {
  readonly inline: boolean;
  readonly script: string | undefined;
  readonly stdinFlag: boolean;
  /** The flag that made it inline, for explanations. */
  readonly flag: string | undefined;
}

function inlineFlagOf(spec: InterpreterSpec, arg: string): string | undefined {
  const ci = spec.caseInsensitiveFlags === true;
  const a = ci ? arg.toLowerCase() : arg;
  for (const raw of spec.inlineFlags) {
    const f = ci ? raw.toLowerCase() : raw;
    if (a === f) return raw;
    if (spec.flagPrefixes) {
      // PowerShell: any unambiguous prefix of two or more letters after the dash ("-enc").
      if (a.length >= 3 && f.startsWith(a)) return raw;
      continue;
    }
    if (f.length !== 2 || a.length <= 2 || a.startsWith('--')) continue;
    if (!spec.clusteredShortFlags) {
      // A one-letter flag with its value attached: python3 -cprint(1), cmd /cdir.
      if (a.startsWith(f)) return raw;
      continue;
    }
    // Clustered POSIX short options (bash -xc, python3 -Bc, perl -le): scan the letters until a
    // letter that takes a value (-W once) or a non-letter ends the cluster.
    if (a[0] !== f[0]) continue;
    for (let i = 1; i < a.length; i++) {
      const c = a[i] as string;
      if (c === f[1]) return raw;
      if (!/[A-Za-z]/.test(c) || has(spec.valueFlags, `-${c}`, ci)) break;
    }
  }
  return undefined;
}

function has(list: readonly string[] | undefined, arg: string, ci: boolean): boolean {
  if (!list) return false;
  const a = ci ? arg.toLowerCase() : arg;
  return list.some((f) => (ci ? f.toLowerCase() : f) === a);
}

/** Reads an interpreter's argv (after argv[0]) the way the interpreter would, as far as it matters. */
export function parseInterpreterArgs(spec: InterpreterSpec, args: readonly string[]): ParsedInterpreterArgs {
  const ci = spec.caseInsensitiveFlags === true;
  for (let i = 1; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      const next = args[i + 1];
      return { inline: false, script: spec.scriptOperand === 'first-operand' ? next : undefined, stdinFlag: false, flag: undefined };
    }
    const flag = inlineFlagOf(spec, a);
    if (flag) return { inline: true, script: undefined, stdinFlag: false, flag };
    if (has(spec.scriptFlags, a, ci)) return { inline: false, script: args[i + 1], stdinFlag: false, flag: undefined };
    if (has(spec.stdinFlags, a, ci)) return { inline: false, script: undefined, stdinFlag: true, flag: a };
    if (has(spec.valueFlags, a, ci)) {
      i++;
      continue;
    }
    if (a.startsWith('-') || (ci && a.startsWith('/'))) continue;
    return {
      inline: false,
      script: spec.scriptOperand === 'first-operand' ? a : undefined,
      stdinFlag: false,
      flag: undefined,
    };
  }
  return { inline: false, script: undefined, stdinFlag: false, flag: undefined };
}

/** Arguments after the program joined by one space; falls back to the command line minus its first token. */
export function argumentString(args: readonly string[] | undefined, commandLine: string | undefined): string {
  if (args && args.length > 0) return args.length === 1 ? '' : args.slice(1).join(' ');
  if (!commandLine) return '';
  const s = commandLine.trimStart();
  if (s.startsWith('"')) {
    const end = s.indexOf('"', 1);
    return end < 0 ? '' : s.slice(end + 1).trim();
  }
  const sp = s.search(/\s/);
  return sp < 0 ? '' : s.slice(sp + 1).trim();
}

/** Joins a relative script path to the working directory and folds "." and "..". */
export function resolveScriptPath(script: string, cwd: string | undefined): string {
  const s = script.replace(/\\/g, '/');
  const absolute = s.startsWith('/') || /^[a-zA-Z]:\//.test(s) || s.startsWith('//');
  if (absolute || !cwd) return s;
  const joined = `${cwd.replace(/\\/g, '/').replace(/\/+$/, '')}/${s}`;
  const out: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '.') continue;
    if (seg === '..' && out.length > 1) out.pop();
    else if (seg !== '..') out.push(seg);
  }
  return out.join('/');
}
