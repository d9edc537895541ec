/**
 * Helpers for this package's tests: where the shared reference data lives, how to turn the example
 * command lines of LOLBAS and GTFOBins into argv, and a small model of the engine's reading of an
 * interpreter's arguments (spec/semantics.md §3) so catalogue entries can be checked against it.
 * Not exported from the package index.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Catalogue, InterpreterSpec, Platform } from '@execguard/schema';

/** /work/shared/data, found from this file (packages/knowledge/dist/testing.js) as ../shared/data of the repo root. */
export const sharedData = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
export const haveSharedData = existsSync(sharedData);

/** Split one command line into argv. POSIX mode knows single quotes and backslash escapes; Windows mode only double quotes. */
export function tokenize(line: string, platform: Platform): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && platform === 'linux' && (line[i + 1] === '"' || line[i + 1] === '\\'))
        cur += line[++i];
      else cur += c;
    } else if (c === '"' || (c === "'" && platform === 'linux')) {
      quote = c;
      has = true;
    } else if (c === '\\' && platform === 'linux' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Split a line into simple commands at unquoted ; | & && || (redirections stay in the arguments). */
export function splitCommands(line: string, platform: Platform): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
      continue;
    }
    if (c === '"' || (c === "'" && platform === 'linux')) {
      quote = c;
      cur += c;
      continue;
    }
    // `2>&1`, `0<&2`: a redirection, not a separator.
    const redirect = c === '&' && (line[i - 1] === '>' || line[i - 1] === '<');
    if ((c === ';' || c === '|' || c === '&') && !redirect) {
      parts.push(cur);
      cur = '';
      if (line[i + 1] === c) i++;
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Basename of a program token, lower-case; on Windows `.exe` is added when there is no extension. */
export function programName(token: string, platform: Platform): string {
  const base = (token.split(/[\\/]/).pop() ?? token).toLowerCase();
  if (platform === 'windows' && !/\.[a-z0-9]+$/.test(base)) return `${base}.exe`;
  return base;
}

/** LOLBAS placeholders → concrete, attacker-looking values (user-writable paths, remote URLs). */
export function fillLolbasPlaceholders(command: string): string {
  return command.replace(/\{([A-Z_]+)(?::([^}]*))?\}/g, (_m, kind: string, arg: string | undefined) => {
    const ext = arg && arg !== 'folder' && arg !== 'args' ? arg : arg === 'folder' ? '' : '.dat';
    switch (kind) {
      case 'PATH':
      case 'PATH_ABSOLUTE':
        return `C:\\Users\\Public\\payload${ext}`;
      case 'PATH_SMB':
        return `\\\\attacker\\share\\payload${ext}`;
      case 'REMOTEURL':
        return `https://attacker.example/payload${ext}`;
      case 'CMD':
        return arg === 'args' ? '-x' : 'calc.exe';
      case 'CLSID':
        return '{00000001-0000-0000-0000-0000FEEDACDC}';
      default:
        return _m;
    }
  });
}

export interface Invocation {
  readonly program: string;
  readonly args: readonly string[];
  /** VAR=value words before the program. */
  readonly env: readonly string[];
  /** Index of the line (in a multi-line example) the invocation is on, and the number of lines. */
  readonly line: number;
  readonly lines: number;
}

/** Lines of a script, keeping newlines inside quotes (multi-line awk programs). */
function splitLines(code: string, platform: Platform): string[] {
  const lines: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const c of code) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || (c === "'" && platform === 'linux')) quote = c;
    else if (c === '\n') {
      lines.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  lines.push(cur);
  return lines;
}

/** Every simple command of an example, in order. */
export function invocations(code: string, platform: Platform): Invocation[] {
  const lines = splitLines(code, platform).filter((l) => l.trim());
  const out: Invocation[] = [];
  lines.forEach((line, n) => {
    for (const cmd of splitCommands(line, platform)) {
      // An unquoted Windows path with spaces ("C:\\Program Files (x86)\\…\\x.exe --flag") is one program token.
      const spaced = platform === 'windows' ? /^([a-z]:\\[^"]*?\.exe)(?=\s|$)/i.exec(cmd) : null;
      const words = spaced ? [spaced[1] as string, ...tokenize(cmd.slice(spaced[0].length), platform)] : tokenize(cmd, platform);
      const env: string[] = [];
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] as string)) env.push(words.shift() as string);
      const first = words.shift();
      if (first === undefined) continue;
      out.push({ program: programName(first, platform), args: words, env, line: n, lines: lines.length });
    }
  });
  return out;
}

// ---- a model of the engine's reading of interpreter arguments (spec §3) ------------------------

const forPlatform = (p: Platform | 'any', want: Platform) => p === 'any' || p === want;

export function findInterpreter(catalogue: Catalogue, platform: Platform, name: string): InterpreterSpec | undefined {
  const n = name.toLowerCase();
  return catalogue.interpreters.find(
    (i) =>
      forPlatform(i.platform, platform) && (i.names.includes(n) || (i.namePatterns ?? []).some((re) => new RegExp(re).test(n))),
  );
}

export type ContentKind = 'inline' | 'script' | 'stdin' | 'none';

/** Content kind from argv alone (stdin assumed a terminal), as spec §3 describes it. */
export function contentKind(spec: InterpreterSpec, args: readonly string[], platform: Platform): ContentKind {
  const ci = spec.caseInsensitiveFlags === true;
  const norm = (s: string) => (ci ? s.toLowerCase() : s);
  const eq = (a: string, list: readonly string[] | undefined) => (list ?? []).some((f) => norm(f) === norm(a));
  const inline = spec.inlineFlags.map(norm);
  for (let i = 0; i < args.length; i++) {
    const a = norm(args[i] as string);
    if (inline.includes(a)) return 'inline';
    if (spec.flagPrefixes && /^-[^-]/.test(a) && a.length >= 3 && inline.some((f) => f.length > a.length && f.startsWith(a)))
      return 'inline';
    if (
      spec.clusteredShortFlags &&
      /^-[a-zA-Z]{2,}$/.test(a) &&
      inline.some((f) => /^-[a-zA-Z]$/.test(f) && a.includes(f[1] as string))
    )
      return 'inline';
    // An inline flag with its value attached: -cprint(1), /ccalc, --eval=x. Not for PowerShell-style
    // parameters (flagPrefixes), which never take attached values: there -ExecutionPolicy is not -e.
    if (!spec.flagPrefixes && inline.some((f) => a.length > f.length && a.startsWith(f))) return 'inline';
    if (eq(a, spec.scriptFlags)) return 'script';
    if (eq(a, spec.stdinFlags)) return 'stdin';
    if (eq(a, spec.valueFlags)) {
      i++;
      continue;
    }
    if (a.startsWith('-') || (platform === 'windows' && ci && a.startsWith('/'))) continue;
    return spec.scriptOperand === 'first-operand' ? 'script' : 'none';
  }
  return 'none';
}

/** Names of the proxy patterns of `name` matching the argument string, or undefined when `name` is no proxy. */
export function matchProxy(
  catalogue: Catalogue,
  platform: Platform,
  name: string,
  args: readonly string[],
): string[] | undefined {
  const spec = catalogue.proxies.find((p) => p.platform === platform && p.name === name.toLowerCase());
  if (!spec) return undefined;
  const s = args.join(' ');
  return spec.patterns.filter((p) => new RegExp(p.args, 'i').test(s)).map((p) => p.id);
}

export function isLoader(catalogue: Catalogue, name: string): boolean {
  return catalogue.loaders.some((l) => new RegExp(l).test(name.toLowerCase()));
}
