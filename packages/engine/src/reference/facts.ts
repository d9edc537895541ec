// Naive reference evaluator — §3 (facts derived from the event). Everything is re-derived on every
// call, straight from the text of spec/semantics.md; no caching, no indexes. Do not optimise.
import type { Catalogue, ExecEvent, InterpreterSpec, Platform, Provenance } from '@execguard/schema';

type Process = ExecEvent['process'];
export type CodeSig = NonNullable<Process['code_signature']>;
export type PeInfo = NonNullable<Process['pe']>;
type Hash = NonNullable<Process['hash']>;

export type ContentKind = 'inline' | 'script' | 'stdin' | 'none';

/** Something an identity (§4) is matched against: the program, the parent, an ancestor or the script. */
export interface Subject {
  readonly role: 'program' | 'parent' | 'ancestor' | 'script';
  /** Path with `\` turned into `/`; undefined when unknown. */
  readonly path: string | undefined;
  /** Lower-case names: basename (else the reported name) and the original file name (`.mui` removed). */
  readonly basename: string | undefined;
  readonly originalName: string | undefined;
  readonly sha256: string | undefined;
  readonly signature: CodeSig | undefined;
  readonly pe: PeInfo | undefined;
  readonly provenance: Provenance | undefined;
}

export interface ParsedArgs {
  readonly inline: boolean;
  readonly stdinFlag: boolean;
  /** The script named by a script flag or the first operand (raw argument). */
  readonly scriptArg: string | undefined;
}

export interface Facts {
  readonly platform: Platform;
  /** Program path, `\` turned into `/`; '' when the event has no executable. */
  readonly path: string;
  readonly program: Subject;
  readonly parent: Subject | undefined;
  readonly ancestors: readonly Subject[];
  readonly script: Subject | undefined;
  readonly interpreter: InterpreterSpec | undefined;
  readonly parsed: ParsedArgs | undefined;
  readonly contentKind: ContentKind;
  /** Arguments after args[0] joined by one space (else the command line without its first token). */
  readonly argString: string;
  readonly loader: boolean;
  readonly memfd: boolean;
  readonly proxyUse: boolean;
  /** ids of the matched proxy patterns, with their technique. */
  readonly proxyMatches: readonly { readonly id: string; readonly technique: string }[];
  readonly masquerade: boolean;
  readonly userWritable: boolean;
  /** Techniques involved per §3 (without the deciding rule's). */
  readonly techniques: readonly string[];
}

export function toSlashes(p: string): string {
  return p.replace(/\\/g, '/');
}

export function basenameOf(p: string): string {
  const s = toSlashes(p);
  const i = s.lastIndexOf('/');
  return i < 0 ? s : s.slice(i + 1);
}

/** Directory of a slash path, lower-case, without trailing slash ('' when there is none). */
export function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '';
  return stripTrailingSlash(p.slice(0, i).toLowerCase());
}

function stripTrailingSlash(d: string): string {
  let s = d;
  while (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

/** Original file name, lower-case, trailing `.mui` removed; undefined when absent or empty. */
export function originalNameOf(pe: PeInfo | undefined): string | undefined {
  const o = pe?.original_file_name?.trim();
  if (o === undefined || o === '') return undefined;
  return o.toLowerCase().replace(/\.mui$/, '');
}

interface RawSubject {
  executable?: string | undefined;
  name?: string | undefined;
  hash?: Hash | undefined;
  pe?: PeInfo | undefined;
  code_signature?: CodeSig | undefined;
}

function subjectOf(role: Subject['role'], raw: RawSubject, provenance: Provenance | undefined): Subject {
  const path = raw.executable !== undefined && raw.executable !== '' ? toSlashes(raw.executable) : undefined;
  const base = path !== undefined ? basenameOf(path) : '';
  const basename = base !== '' ? base.toLowerCase() : raw.name ? raw.name.toLowerCase() : undefined;
  return {
    role,
    path,
    basename,
    originalName: originalNameOf(raw.pe),
    sha256: raw.hash?.sha256,
    signature: raw.code_signature,
    pe: raw.pe,
    provenance,
  };
}

export function namesOf(s: Subject): string[] {
  const out: string[] = [];
  if (s.basename !== undefined) out.push(s.basename);
  if (s.originalName !== undefined) out.push(s.originalName);
  return out;
}

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** Join a relative path to a working directory and resolve `.` and `..` segments. */
export function resolveAgainst(dir: string, rel: string): string {
  const joined = `${toSlashes(dir).replace(/\/+$/, '')}/${toSlashes(rel)}`;
  const out: string[] = [];
  const parts = joined.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '.' || (part === '' && i > 0)) continue;
    if (part === '..') {
      // never climb above the root (or the drive)
      if (out.length > 1) out.pop();
      continue;
    }
    out.push(part);
  }
  return out.length === 1 && out[0] === '' ? '/' : out.join('/');
}

/** The argument string of §3: args after args[0] joined by one space, else command_line minus its first token. */
export function argumentString(event: ExecEvent): string {
  const args = event.process.args;
  if (args !== undefined) return args.slice(1).join(' ');
  const cl = event.process.command_line;
  if (cl === undefined) return '';
  const s = cl.replace(/^\s+/, '');
  let rest: string;
  if (s.startsWith('"')) {
    const end = s.indexOf('"', 1);
    rest = end < 0 ? '' : s.slice(end + 1);
  } else {
    const m = /\s/.exec(s);
    rest = m ? s.slice(m.index) : '';
  }
  return rest.replace(/^\s+/, '');
}

// ---- interpreter argument parsing ------------------------------------------------------------

function flagEq(spec: InterpreterSpec, a: string, f: string): boolean {
  return spec.caseInsensitiveFlags ? a.toLowerCase() === f.toLowerCase() : a === f;
}

function flagStartsWith(spec: InterpreterSpec, s: string, prefix: string): boolean {
  return spec.caseInsensitiveFlags ? s.toLowerCase().startsWith(prefix.toLowerCase()) : s.startsWith(prefix);
}

/** Exact, or (flagPrefixes) a prefix of the flag with two or more characters after the dash. */
function exactOrPrefix(spec: InterpreterSpec, a: string, f: string): boolean {
  if (flagEq(spec, a, f)) return true;
  if (spec.flagPrefixes && a.length >= 3 && (a[0] === '-' || a[0] === '/') && a[0] === f[0] && a.length <= f.length) {
    return flagStartsWith(spec, f, a);
  }
  return false;
}

/**
 * A cluster of short flags (`-xc`) containing the one-letter flag `f`: read letter by letter, the
 * cluster ends at a letter that is a value flag (python3 -Wonce) or at a non-letter.
 */
function inCluster(spec: InterpreterSpec, a: string, f: string): boolean {
  if (!spec.clusteredShortFlags) return false;
  if (f.length !== 2 || f[0] !== '-' || f[1] === '-') return false;
  if (a.length < 3 || a[0] !== '-' || a[1] === '-') return false;
  for (const c of a.slice(1)) {
    if (flagEq(spec, c, f[1]!)) return true;
    if (!/[A-Za-z]/.test(c)) return false;
    if ((spec.valueFlags ?? []).some((v) => flagEq(spec, v, `-${c}`))) return false;
  }
  return false;
}

function isInlineFlag(spec: InterpreterSpec, a: string): boolean {
  for (const f of spec.inlineFlags) {
    if (exactOrPrefix(spec, a, f)) return true;
    if (inCluster(spec, a, f)) return true;
    // the flag with its value after "=": --eval=..., -Command=...
    if (flagStartsWith(spec, a, `${f}=`)) return true;
    // a one-letter flag with its value attached (-cprint(1), /cdir), except where "-c…" is
    // another flag's prefix (flagPrefixes) or a cluster (clusteredShortFlags)
    const oneLetter = f.length === 2 && (f[0] === '-' || f[0] === '/');
    if (
      oneLetter &&
      !spec.flagPrefixes &&
      !spec.clusteredShortFlags &&
      a.length > 2 &&
      !a.startsWith('--') &&
      flagStartsWith(spec, a, f)
    ) {
      return true;
    }
  }
  return false;
}

export function parseInterpreterArgs(spec: InterpreterSpec, args: readonly string[], platform: Platform): ParsedArgs {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    // "--" ends the options: what follows is the script operand
    if (a === '--') {
      const next = args[i + 1];
      return { inline: false, stdinFlag: false, scriptArg: spec.scriptOperand === 'first-operand' ? next : undefined };
    }
    if (isInlineFlag(spec, a)) return { inline: true, stdinFlag: false, scriptArg: undefined };
    if ((spec.scriptFlags ?? []).some((f) => exactOrPrefix(spec, a, f))) {
      return { inline: false, stdinFlag: false, scriptArg: args[i + 1] };
    }
    if ((spec.stdinFlags ?? []).some((f) => exactOrPrefix(spec, a, f) || inCluster(spec, a, f))) {
      return { inline: false, stdinFlag: true, scriptArg: undefined };
    }
    if ((spec.valueFlags ?? []).some((f) => exactOrPrefix(spec, a, f))) {
      i++; // skip the value
      continue;
    }
    if (a.startsWith('-')) continue;
    if (platform === 'windows' && spec.caseInsensitiveFlags && a.startsWith('/')) continue;
    if (spec.scriptOperand === 'first-operand') return { inline: false, stdinFlag: false, scriptArg: a };
    // scriptOperand 'none': an operand is not a script; keep looking for flags.
  }
  return { inline: false, stdinFlag: false, scriptArg: undefined };
}

// ---- catalogue lookups -----------------------------------------------------------------------

function onPlatform(p: Platform | 'any', platform: Platform): boolean {
  return p === 'any' || p === platform;
}

export function findInterpreter(catalogue: Catalogue, platform: Platform, name: string | undefined): InterpreterSpec | undefined {
  if (name === undefined) return undefined;
  for (const spec of catalogue.interpreters) {
    if (!onPlatform(spec.platform, platform)) continue;
    if (spec.names.some((n) => n.toLowerCase() === name)) return spec;
    if ((spec.namePatterns ?? []).some((p) => new RegExp(`^(?:${p})$`).test(name))) return spec;
  }
  return undefined;
}

export function platformOf(event: ExecEvent): Platform {
  const family = event.host?.os?.family;
  if (family !== undefined) return family.trim().toLowerCase() === 'windows' ? 'windows' : 'linux';
  const exe = event.process.executable ?? '';
  return /^[A-Za-z]:/.test(exe) || exe.startsWith('\\\\') ? 'windows' : 'linux';
}

export function deriveFacts(event: ExecEvent, catalogue: Catalogue): Facts {
  const platform = platformOf(event);
  const proc = event.process;
  const eg = event.execguard;
  const program = subjectOf('program', proc, eg?.process);
  const path = program.path ?? '';
  const names = namesOf(program);

  const parent = proc.parent !== undefined ? subjectOf('parent', proc.parent, eg?.parent) : undefined;
  const ancestors = (eg?.ancestors ?? []).map((a) => subjectOf('ancestor', a, undefined));

  // Loader invocation
  let loader = eg?.loader_invocation === true;
  for (const pattern of catalogue.loaders) {
    for (const n of names) if (new RegExp(pattern).test(n)) loader = true;
  }

  // Memfd execution
  const exe = proc.executable ?? '';
  const memfd = eg?.memfd === true || exe.startsWith('/memfd:') || exe.startsWith('memfd:');

  // Interpreter: basename first, then the original name
  const interpreter =
    findInterpreter(catalogue, platform, program.basename) ?? findInterpreter(catalogue, platform, program.originalName);

  // Script content: only an interpreter has one; the script subject exists only for content "script"
  let parsed: ParsedArgs | undefined;
  let script: Subject | undefined;
  let contentKind: ContentKind = 'none';
  if (interpreter !== undefined) {
    parsed = parseInterpreterArgs(interpreter, (proc.args ?? []).slice(1), platform);
    const file = event.file;
    const stdin = eg?.stdin;
    if (parsed.inline || eg?.inline_code === true) contentKind = 'inline';
    else if (file?.path !== undefined && file.path !== '') {
      contentKind = 'script';
      script = subjectOf(
        'script',
        { executable: file.path, name: file.name, hash: file.hash, pe: file.pe, code_signature: file.code_signature },
        eg?.script,
      );
    } else if (parsed.scriptArg !== undefined && parsed.scriptArg !== '') {
      contentKind = 'script';
      const raw = parsed.scriptArg;
      const wd = proc.working_directory;
      const resolved = isAbsolutePath(raw) || wd === undefined || wd === '' ? toSlashes(raw) : resolveAgainst(wd, raw);
      // the path from argv, with whatever the sensor measured about that file (provenance)
      script = subjectOf('script', { executable: resolved }, eg?.script);
    } else if (stdin === 'pipe' || stdin === 'file' || stdin === 'socket' || (parsed.stdinFlag && stdin !== 'tty')) {
      contentKind = 'stdin';
    }
  }

  // Proxy use
  const argString = argumentString(event);
  const proxyMatches: { id: string; technique: string }[] = [];
  for (const proxy of catalogue.proxies) {
    if (proxy.platform !== platform) continue;
    if (!names.includes(proxy.name.toLowerCase())) continue;
    for (const pat of proxy.patterns) {
      if (new RegExp(pat.args, 'i').test(argString)) proxyMatches.push({ id: pat.id, technique: pat.technique });
    }
  }
  const proxyUse = proxyMatches.length > 0;

  // Masquerade
  let masquerade = program.originalName !== undefined && program.originalName !== program.basename;
  const dir = dirnameOf(path);
  const systemEntries = catalogue.systemBinaries.filter(
    (s) => s.platform === platform && s.name.toLowerCase() === program.basename,
  );
  if (systemEntries.length > 0 && program.path !== undefined) {
    const inHome = systemEntries.some((s) => s.directories.some((d) => stripTrailingSlash(toSlashes(d).toLowerCase()) === dir));
    if (!inHome) masquerade = true;
  }

  // User-writable location
  const lowerPath = path.toLowerCase();
  const userWritable = catalogue.userWritableLocations.some(
    (l) => l.platform === platform && new RegExp(l.pattern).test(lowerPath),
  );

  const techniques: string[] = [];
  if (interpreter !== undefined && contentKind !== 'none') techniques.push(...interpreter.techniques);
  if (loader) techniques.push('T0894');
  for (const m of proxyMatches) techniques.push(m.technique);
  if (memfd) techniques.push('T0834');
  if (masquerade) techniques.push('T0849');
  if (userWritable) techniques.push('T0863');

  return {
    platform,
    path,
    program,
    parent,
    ancestors,
    script,
    interpreter,
    parsed,
    contentKind,
    argString,
    loader,
    memfd,
    proxyUse,
    proxyMatches,
    masquerade,
    userWritable,
    techniques,
  };
}
