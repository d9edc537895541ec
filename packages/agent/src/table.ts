/**
 * Lowers a policy into the native core's decision table for ONE host (ADR 0008): scopes,
 * `appliesTo`, exception and window scopes and never-block selectors are resolved here, because an
 * agent only ever decides for its own host; what remains depends on the execution and on the time.
 * The catalogue's Linux facts (interpreters and how they take code, proxy binaries, loaders, system
 * binary locations, user-writable locations) travel with the table, so the core needs nothing else.
 */
import { compile, globToRegExp, selectorMatches } from '@execguard/engine';
import type {
  Catalogue,
  Identity,
  InterpreterSpec,
  Match,
  Mode,
  Policy,
  ProxyBinarySpec,
  SystemBinarySpec,
} from '@execguard/schema';
import type { ContentName } from './content-names.js';
import type { PackageFile } from './packages.js';
import { BinaryWriter } from './writer.js';

/** The host as selectors see it (its id, name, role and labels from the host registry). */
export interface HostView {
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  readonly role?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

/** What the table is built from besides the policy. */
export interface TableOptions {
  readonly catalogue: Catalogue;
  readonly host: HostView;
  /** Overrides the scope's mode (`execguard agent run --mode`). */
  readonly mode?: Mode | undefined;
  /** Account names for user conditions (uid/gid → name). */
  readonly users?: ReadonlyMap<number, string>;
  readonly groups?: ReadonlyMap<number, string>;
  /** Package-owned files whose content matched the package record: path → package and sha256. */
  readonly packageFiles?: ReadonlyMap<string, PackageFile>;
  /** The host's interpreters, loaders and proxy binaries by content (see content-names.ts). */
  readonly contentNames?: readonly ContentName[];
}

/** What the lowering decided, for logs and events. */
export interface TableInfo {
  readonly scopeId: string;
  readonly mode: Mode;
  readonly failMode: 'open' | 'closed';
  readonly needs: { parent: boolean; ancestors: boolean; user: boolean; packages: boolean; adminOnly: boolean };
  readonly rules: number;
}

const MODES: Record<Mode, number> = { learn: 0, audit: 1, enforce: 2 };
const CONTENT = { inline: 1, script: 2, stdin: 3 } as const;
const MANAGER = { any: 0, dpkg: 1, rpm: 2 } as const;
const NEEDS = { parent: 1, ancestors: 2, user: 4, packages: 8, adminOnly: 16 } as const;

const forLinux = (p: string) => p === 'linux' || p === 'any';

/** The catalogue as the engine indexes it (engine/src/catalogue.ts), restricted to Linux. */
function lowerCatalogue(w: BinaryWriter, cat: Catalogue): void {
  const interps = cat.interpreters.filter((i) => forLinux(i.platform));
  const interpIndex = new Map<InterpreterSpec, number>(interps.map((s, i) => [s, i]));
  w.u32(interps.length);
  for (const s of interps) {
    w.strs(s.inlineFlags)
      .strs(s.scriptFlags ?? [])
      .strs(s.stdinFlags ?? [])
      .strs(s.valueFlags ?? []);
    w.u8(s.scriptOperand === 'first-operand')
      .u8(s.caseInsensitiveFlags === true)
      .u8(s.flagPrefixes === true)
      .u8(s.clusteredShortFlags === true);
  }
  const proxies = new Map<string, ProxyBinarySpec>();
  for (const p of cat.proxies)
    if (p.platform === 'linux' && !proxies.has(p.name.toLowerCase())) proxies.set(p.name.toLowerCase(), p);
  const proxyList = [...proxies.values()];
  w.u32(proxyList.length);
  for (const p of proxyList) w.strs(p.patterns.map((x) => x.args));

  const byName = new Map<string, InterpreterSpec>();
  for (const s of interps) for (const n of s.names) if (!byName.has(n.toLowerCase())) byName.set(n.toLowerCase(), s);
  const patterns = interps.flatMap((s) => (s.namePatterns ?? []).map((src) => ({ re: new RegExp(src), src, spec: s })));
  const systems = new Map<string, SystemBinarySpec>();
  for (const s of cat.systemBinaries) if (s.platform === 'linux') systems.set(s.name.toLowerCase(), s);
  const loaderSrc = cat.loaders.length ? `^(?:${cat.loaders.map((l) => `(?:${l.replace(/^\^|\$$/g, '')})`).join('|')})$` : '';
  const loaderRe = loaderSrc ? new RegExp(loaderSrc) : undefined;
  const interpreterOf = (name: string) => byName.get(name) ?? patterns.find((p) => p.re.test(name))?.spec;

  const names = new Set([...byName.keys(), ...proxies.keys(), ...systems.keys()]);
  w.u32(names.size);
  for (const n of names) {
    const interp = interpreterOf(n);
    const proxy = proxies.get(n);
    const sys = systems.get(n);
    w.str(n)
      .i32(interp ? (interpIndex.get(interp) as number) : -1)
      .i32(proxy ? proxyList.indexOf(proxy) : -1)
      .u8(loaderRe?.test(n) === true)
      .u8(sys !== undefined)
      .strs((sys?.directories ?? []).map((d) => d.toLowerCase()));
  }
  w.u32(patterns.length);
  for (const p of patterns) w.str(p.src).i32(interpIndex.get(p.spec) as number);
  w.str(loaderSrc);
  const locations = cat.userWritableLocations.filter((l) => l.platform === 'linux').map((l) => `(?:${l.pattern})`);
  w.str(locations.join('|'));
}

/** Identities and matches are numbered in the order they are met; -1 is "absent". */
class Numbering {
  readonly identities: Identity[] = [];
  readonly matches: Match[] = [];
  identity(id: Identity | undefined): number {
    if (!id) return -1;
    this.identities.push(id);
    return this.identities.length - 1;
  }
  match(m: Match): number {
    this.matches.push(m);
    return this.matches.length - 1;
  }
}

function hexToBytes(hex: string): Buffer {
  return Buffer.from(hex.toLowerCase(), 'hex');
}

function writeIdentity(w: BinaryWriter, id: Identity): void {
  const has = (id.sha256 ? 1 : 0) | (id.path ? 2 : 0) | (id.package ? 4 : 0) | (id.name ? 8 : 0) | (id.signer ? 16 : 0);
  w.u8(has);
  if (id.sha256) {
    w.u32(id.sha256.length);
    for (const h of id.sha256) w.raw(hexToBytes(h));
  }
  if (id.path) {
    w.u32(id.path.length);
    for (const p of id.path) {
      const re = globToRegExp(p);
      w.u8(re.flags.includes('i')).str(re.source);
    }
  }
  if (id.package) {
    w.u8(MANAGER[id.package.manager])
      .u8(id.package.names !== undefined)
      .strs(id.package.names ?? []);
  }
  if (id.name) w.strs(id.name.map((n) => n.toLowerCase()));
}

function writeMatch(w: BinaryWriter, m: Match, ids: Numbering): void {
  w.i32(ids.identity(m.program)).i32(ids.identity(m.script)).i32(ids.identity(m.parent)).i32(ids.identity(m.ancestor));
  w.u8(m.args !== undefined);
  if (m.args) {
    w.u8(m.args.caseSensitive === true);
    w.u8(m.args.any !== undefined).strs(m.args.any ?? []);
    w.u8(m.args.all !== undefined).strs(m.args.all ?? []);
    w.u8(m.args.none !== undefined).strs(m.args.none ?? []);
  }
  w.u8(m.user !== undefined);
  if (m.user) {
    w.strs((m.user.names ?? []).map((n) => n.toLowerCase()))
      .strs(m.user.ids ?? [])
      .strs((m.user.groups ?? []).map((g) => g.toLowerCase()));
  }
  w.tri(m.inlineCode).tri(m.stdinScript).tri(m.proxyUse).tri(m.masquerade).tri(m.userWritableLocation);
  w.u8(m.script ? CONTENT.script : m.inlineCode === true ? CONTENT.inline : m.stdinScript === true ? CONTENT.stdin : 0);
}

const time = (s: string | undefined, absent: number) => (s === undefined ? absent : Date.parse(s));

/** Builds the native decision table for one host. Throws the engine's ValidationError on an invalid policy. */
export function buildTable(policyDoc: unknown, o: TableOptions): { table: Buffer; info: TableInfo; policy: Policy } {
  const policy = compile(policyDoc, { catalogue: o.catalogue }).policy;
  const host = o.host;
  const scope = (policy.scopes ?? []).find((s) => selectorMatches(s.selector, host));
  const mode = o.mode ?? scope?.mode ?? policy.defaults.mode;
  const failMode = scope?.failMode ?? policy.defaults.failMode;
  const rules = policy.rules.filter((r) => selectorMatches(r.appliesTo, host));
  const deny = rules.filter((r) => r.action === 'deny');
  const allow = rules.filter((r) => r.action === 'allow');
  const exceptions = (policy.exceptions ?? []).filter((x) => selectorMatches(x.scope, host));
  const windows = (policy.maintenanceWindows ?? []).filter((x) => selectorMatches(x.scope, host));
  const never = (policy.neverBlock ?? []).filter((n) => selectorMatches(n.appliesTo, host));

  // Matches first (they number the identities), then the identities, then the rules that use them.
  const ids = new Numbering();
  const matchWriter = new BinaryWriter();
  const allMatches = [...deny, ...allow, ...exceptions].map((r) => r.match);
  for (const m of allMatches) writeMatch(matchWriter, m, ids);
  const neverIds = never.map((n) => ids.identity(n.program));

  const all = [...ids.identities];
  const needs = {
    parent: allMatches.some((m) => m.parent || m.ancestor),
    ancestors: allMatches.some((m) => m.ancestor),
    user: allMatches.some((m) => m.user),
    packages: all.some((i) => i.package),
    adminOnly: all.some((i) => i.path),
  };
  const w = new BinaryWriter();
  w.raw(Buffer.from('EGT1'))
    .u8(MODES[mode])
    .u8(failMode === 'closed')
    .u8(Object.entries(needs).reduce((acc, [k, v]) => (v ? acc | NEEDS[k as keyof typeof NEEDS] : acc), 0));
  w.str(scope?.id ?? 'default');
  lowerCatalogue(w, o.catalogue);
  w.u32(ids.identities.length);
  for (const id of ids.identities) writeIdentity(w, id);
  w.u32(allMatches.length).raw(matchWriter.done());
  let mi = 0;
  w.u32(deny.length);
  for (const r of deny) w.str(r.id).u32(mi++);
  w.u32(allow.length);
  for (const r of allow) w.str(r.id).u32(mi++);
  w.u32(exceptions.length);
  for (const x of exceptions) w.str(x.id).f64(time(x.notBefore, Number.NEGATIVE_INFINITY)).f64(Date.parse(x.expires)).u32(mi++);
  w.u32(windows.length);
  for (const win of windows) {
    const relaxed = (win.relax.rules ?? []).map((id) => deny.findIndex((r) => r.id === id)).filter((i) => i >= 0);
    w.str(win.id)
      .f64(Date.parse(win.start))
      .f64(Date.parse(win.end))
      .u8(win.relax.defaultDeny === true)
      .u8(win.relax.enforcement === true)
      .u32(relaxed.length);
    for (const i of relaxed) w.u32(i);
  }
  w.u32(never.length);
  for (const [i, n] of never.entries()) w.str(n.id).u32(neverIds[i] as number);
  for (const accounts of [o.users, o.groups]) {
    const entries = [...(accounts ?? new Map<number, string>())];
    w.u32(entries.length);
    for (const [id, name] of entries) w.u32(id).str(name);
  }
  const files = [...(o.packageFiles ?? new Map<string, PackageFile>())];
  w.u32(files.length);
  for (const [path, f] of files) w.str(path).str(f.name).u8(MANAGER[f.manager]).raw(hexToBytes(f.sha256));
  const contentNames = o.contentNames ?? [];
  w.u32(contentNames.length);
  for (const c of contentNames) w.raw(hexToBytes(c.sha256)).str(c.name);
  return {
    table: w.done(),
    policy,
    info: { scopeId: scope?.id ?? 'default', mode, failMode, needs, rules: rules.length },
  };
}
