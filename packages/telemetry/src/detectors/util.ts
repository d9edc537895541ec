/**
 * Shared, allocation-light helpers: one view of an event that every detector reads, and the
 * catalogue from @execguard/knowledge compiled once into lookup tables.
 */
import {
  interpreters,
  loaderPatterns,
  proxyBinaries,
  systemBinaries,
  techniqueName,
  userWritableLocations,
} from '@execguard/knowledge';
import { argumentString, type ExecEvent, type InterpreterSpec, type LocationSpec, type ProxyPattern } from '@execguard/schema';
import type { HostState } from './types.js';

export type Platform = 'windows' | 'linux';

// ---------------------------------------------------------------------------------------------
// Paths and names
// ---------------------------------------------------------------------------------------------

/**
 * Lower-case, forward slashes, without the NT prefixes `\??\` and `\\?\`, with %SystemRoot%/%windir%
 * expanded to c:/windows and surrounding quotes removed. Linux paths keep their case.
 */
export function normPath(path: string, platform: Platform): string {
  let p = path.trim();
  if (p.length > 1 && p.startsWith('"') && p.endsWith('"')) p = p.slice(1, -1);
  if (platform !== 'windows') return p;
  p = p.replace(/\\/g, '/').toLowerCase();
  if (p.startsWith('/??/') || p.startsWith('//?/')) p = p.slice(4);
  p = p.replace(/^%(?:systemroot|windir)%/, 'c:/windows');
  return p;
}

export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}

export function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '' : path.slice(0, i);
}

/** Splits a command line the way most Windows programs do: spaces separate, double quotes group. */
export function splitCommandLine(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i] as string;
    if (c === '"') {
      quoted = !quoted;
      has = true;
    } else if (!quoted && (c === ' ' || c === '\t' || c === '\n' || c === '\r')) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The event as detectors see it
// ---------------------------------------------------------------------------------------------

export interface ProcView {
  /** Path as given (may be undefined when only a name is known). */
  readonly path: string | undefined;
  /** normPath(path): lower-case with forward slashes on Windows. */
  readonly norm: string | undefined;
  /** Lower-case basename of the program ('' when unknown). */
  readonly name: string;
  /** Lower-case OriginalFileName without a `.mui` suffix, when the sensor gave a usable one. */
  readonly originalName: string | undefined;
  readonly commandLine: string;
  /** Arguments after argv[0]. */
  readonly args: readonly string[];
  /** Arguments after argv[0] joined by spaces. */
  readonly argString: string;
}

export interface EventView {
  readonly event: ExecEvent;
  readonly platform: Platform;
  readonly proc: ProcView;
  /** The parent, filled from the host state by pid when the record lacks it. */
  readonly parent: ProcView | undefined;
  /** PowerShell script block text (4104) or other script content the source captured. */
  readonly scriptText: string | undefined;
}

function cleanOriginal(o: string | undefined): string | undefined {
  if (o === undefined) return undefined;
  let s = o.trim().toLowerCase();
  if (s.endsWith('.mui')) s = s.slice(0, -4);
  if (s === '' || s === '-' || s === '?' || s === 'n/a') return undefined;
  return s;
}

function procView(
  platform: Platform,
  p: { executable?: string; name?: string; command_line?: string; args?: string[]; pe?: { original_file_name?: string } },
): ProcView {
  const path = p.executable;
  const norm = path !== undefined ? normPath(path, platform) : undefined;
  let name = norm !== undefined ? basename(norm) : (p.name ?? '');
  if (platform === 'windows' || norm === undefined) name = name.toLowerCase();
  const commandLine = p.command_line ?? (p.args ? p.args.join(' ') : '');
  const argv = p.args ?? splitCommandLine(commandLine);
  return {
    path,
    norm,
    name,
    originalName: cleanOriginal(p.pe?.original_file_name),
    commandLine,
    args: argv.slice(1),
    argString: argumentString(p.args, p.command_line),
  };
}

export function platformOf(event: ExecEvent): Platform {
  const family = event.host?.os?.family ?? event.host?.os?.type;
  if (family) return family.toLowerCase() === 'windows' ? 'windows' : 'linux';
  const exe = event.process.executable ?? event.process.parent?.executable ?? '';
  if (/^(?:[a-zA-Z]:[\\/]|\\\\|\\\?\?\\)/.test(exe)) return 'windows';
  if (event.winlog !== undefined) return 'windows';
  return exe.startsWith('/') ? 'linux' : 'windows';
}

function get(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * Script block text, wherever the source put it. ECS/Winlogbeat: `powershell.file.script_block_text`;
 * raw event data: `winlog.event_data.ScriptBlockText`; `execguard.script.text` for other sensors.
 */
export function scriptTextOf(event: ExecEvent): string | undefined {
  for (const path of [
    ['powershell', 'file', 'script_block_text'],
    ['winlog', 'event_data', 'ScriptBlockText'],
    ['execguard', 'script', 'text'],
  ]) {
    const v = get(event, ...path);
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

const pidKey = (pid: unknown): string | undefined =>
  typeof pid === 'number' || (typeof pid === 'string' && pid !== '') ? String(pid) : undefined;

export function viewOf(event: ExecEvent, state?: HostState): EventView {
  const platform = platformOf(event);
  const proc = procView(platform, event.process);
  let parentRaw = event.process.parent;
  if (state && (parentRaw?.executable === undefined || parentRaw.command_line === undefined)) {
    const key = pidKey(parentRaw?.pid);
    const known = key !== undefined ? state.processes.get(key) : undefined;
    if (known) {
      parentRaw = {
        ...parentRaw,
        ...(parentRaw?.executable === undefined && known.executable !== undefined ? { executable: known.executable } : {}),
        ...(parentRaw?.command_line === undefined && known.commandLine !== undefined ? { command_line: known.commandLine } : {}),
      };
    }
  }
  const parent =
    parentRaw && (parentRaw.executable !== undefined || parentRaw.name !== undefined || parentRaw.command_line !== undefined)
      ? procView(platform, parentRaw)
      : undefined;
  return { event, platform, proc, parent, scriptText: scriptTextOf(event) };
}

/** Records the process of `event` in the host state (for children whose records lack the parent). */
export function rememberProcess(event: ExecEvent, state: HostState): void {
  const key = pidKey(event.process.pid);
  if (key === undefined || event.process.executable === undefined) return;
  state.processes.delete(key);
  state.processes.set(key, {
    executable: event.process.executable,
    ...(event.process.command_line !== undefined ? { commandLine: event.process.command_line } : {}),
  });
  while (state.processes.size > state.limit) {
    const oldest = state.processes.keys().next().value;
    if (oldest === undefined) break;
    state.processes.delete(oldest);
  }
}

// ---------------------------------------------------------------------------------------------
// Catalogue lookups (compiled once)
// ---------------------------------------------------------------------------------------------

interface CompiledProxy {
  readonly name: string;
  readonly blockRecommended: boolean;
  readonly patterns: readonly (ProxyPattern & { readonly re: RegExp })[];
}

const proxyIndex = new Map<string, CompiledProxy>();
for (const spec of proxyBinaries) {
  for (const pl of [spec.platform]) {
    proxyIndex.set(`${pl}:${spec.name}`, {
      name: spec.name,
      blockRecommended: spec.blockRecommended === true,
      patterns: spec.patterns.map((p) => ({ ...p, re: new RegExp(p.args, 'i') })),
    });
  }
}

export function proxyOf(platform: Platform, name: string): CompiledProxy | undefined {
  return proxyIndex.get(`${platform}:${platform === 'windows' ? name.toLowerCase() : name}`);
}

const interpByName = new Map<string, InterpreterSpec>();
const interpPatterns: { platform: string; re: RegExp; spec: InterpreterSpec }[] = [];
for (const spec of interpreters) {
  const platforms = spec.platform === 'any' ? ['windows', 'linux'] : [spec.platform];
  for (const pl of platforms) for (const n of spec.names) interpByName.set(`${pl}:${n.toLowerCase()}`, spec);
  for (const src of spec.namePatterns ?? []) interpPatterns.push({ platform: spec.platform, re: new RegExp(src, 'i'), spec });
}

export function interpreterOf(platform: Platform, name: string): InterpreterSpec | undefined {
  const n = name.toLowerCase();
  const hit = interpByName.get(`${platform}:${n}`);
  if (hit) return hit;
  for (const p of interpPatterns) if ((p.platform === 'any' || p.platform === platform) && p.re.test(n)) return p.spec;
  return undefined;
}

/** The interpreter a process is, by file name or (renamed copy) by OriginalFileName. */
export function interpreterOfProc(platform: Platform, p: ProcView): InterpreterSpec | undefined {
  return (
    (p.name ? interpreterOf(platform, p.name) : undefined) ??
    (p.originalName ? interpreterOf(platform, p.originalName) : undefined)
  );
}

/** Command shells (the interpreters the catalogue files under T0807 Command-Line Interface). */
export function isShell(spec: InterpreterSpec | undefined): boolean {
  return spec?.techniques.includes('T0807') === true;
}

const sysIndex = new Map<string, readonly string[]>();
for (const s of systemBinaries) sysIndex.set(`${s.platform}:${s.name}`, s.directories);

export function systemDirectories(platform: Platform, name: string): readonly string[] | undefined {
  return sysIndex.get(`${platform}:${platform === 'windows' ? name.toLowerCase() : name}`);
}

const locations = userWritableLocations.map((l: LocationSpec) => ({ ...l, re: new RegExp(l.pattern, 'i') }));

/** The first user-writable location (most specific first, as the catalogue orders them) containing the path. */
export function userWritableKind(platform: Platform, path: string): LocationSpec['kind'] | undefined {
  const p = platform === 'windows' ? normPath(path, platform) : path;
  for (const l of locations) if (l.platform === platform && l.re.test(p)) return l.kind;
  return undefined;
}

const loaderRe = new RegExp(`^(?:${loaderPatterns.map((l) => `(?:${l.replace(/^\^|\$$/g, '')})`).join('|')})$`, 'i');

export function isLoaderName(name: string): boolean {
  return loaderRe.test(name);
}

export function icsName(id: string): string {
  return techniqueName(id) ?? id;
}

// ---------------------------------------------------------------------------------------------
// Interpreter argument reading (simplified from the engine's reading, spec §3)
// ---------------------------------------------------------------------------------------------

/**
 * The inline-code flag an interpreter was given (e.g. "-c", "-EncodedCommand"), or undefined.
 * Reads options left to right until the first operand; value flags skip their value. A bare first
 * operand to PowerShell that is not a script file is code (Windows PowerShell reads it as -Command).
 */
export function inlineFlag(spec: InterpreterSpec, args: readonly string[]): string | undefined {
  const ci = spec.caseInsensitiveFlags === true;
  const norm = (s: string) => (ci ? s.toLowerCase() : s);
  const asDash = (s: string) =>
    ci && s.startsWith('/') && !spec.inlineFlags.some((f) => f.startsWith('/')) ? `-${s.slice(1)}` : s;
  const inline = spec.inlineFlags.map(norm);
  const values = (spec.valueFlags ?? []).map(norm);
  const scripts = (spec.scriptFlags ?? []).map(norm);
  const matches = (a: string, f: string) =>
    a === f || (spec.flagPrefixes === true && a.length >= 3 && f.startsWith(a)) || a.startsWith(`${f}=`) || a.startsWith(`${f}:`);
  for (let i = 0; i < args.length; i++) {
    const raw = args[i] as string;
    const a = norm(asDash(raw));
    if (a === '--') return undefined;
    if (!a.startsWith('-') && !a.startsWith('/')) {
      if (spec.id === 'powershell' && !/\.ps[dm]?1["']?$/i.test(a)) return raw;
      return undefined;
    }
    // Exact or prefix match of an inline flag; prefer exact so "-c" is not read as "-configurationname".
    const exact = inline.find((f) => a === f || a.startsWith(`${f}=`) || a.startsWith(`${f}:`));
    if (exact !== undefined) return raw;
    if (values.some((f) => matches(a, f))) {
      if (!a.includes('=') && !a.includes(':')) i++;
      continue;
    }
    if (scripts.some((f) => matches(a, f))) return undefined;
    if (inline.some((f) => matches(a, f))) return raw;
    // Clustered short options (bash -xc, perl -ne).
    if (spec.clusteredShortFlags === true && /^-[A-Za-z]{2,}$/.test(raw)) {
      for (const f of spec.inlineFlags) if (f.length === 2 && raw.slice(1).includes(f[1] as string)) return raw;
    }
    // cmd /c with the command attached (/cwhoami).
    if (spec.id === 'cmd' && /^\/[ckr]./i.test(raw)) return raw;
  }
  return undefined;
}
