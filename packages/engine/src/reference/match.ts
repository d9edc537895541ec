// Naive reference evaluator — §2 selectors, §4 identities, §5 conditions and approval.
import type { ExecEvent, HostContext, Identity, Match, Selector } from '@execguard/schema';
import { type ContentKind, type Facts, namesOf, type Subject, toSlashes } from './facts.js';

// ---- §2 host selectors -----------------------------------------------------------------------

export function selectorMatches(sel: Selector | undefined, host: HostContext): boolean {
  if (sel === undefined) return true;
  if (sel.hosts !== undefined && !sel.hosts.some((h) => h === host.id || (host.name !== undefined && h === host.name))) {
    return false;
  }
  if (sel.roles !== undefined && !(host.role !== undefined && sel.roles.includes(host.role))) return false;
  if (sel.labels !== undefined) {
    for (const [k, v] of Object.entries(sel.labels)) {
      if (host.labels?.[k] !== v) return false;
    }
  }
  return true;
}

// ---- §4 identities ---------------------------------------------------------------------------

const norm = (s: string | undefined): string | undefined => s?.trim().toLowerCase();

/** Leading dotted-numeric version followed by nothing or whitespace (e.g. "10.0.19041.1 (WinBuild…)"). */
export function parseVersion(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*([0-9]+(?:\.[0-9]+)*)(?:\s|$)/.exec(v);
  if (!m) return undefined;
  return m[1]!.split('.').map((x) => Number(x));
}

/** a ≥ b, numerically, missing components count as 0. */
export function versionAtLeast(a: number[], b: number[]): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Glob → RegExp: `*` one segment, `**` any depth, `?` one character; drive letter or `\` ⇒ case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  const ci = /^[A-Za-z]:/.test(glob) || glob.includes('\\');
  const g = toSlashes(glob);
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        while (g[i + 1] === '*') i++;
        if (g[i + 1] === '/') {
          re += '(?:.*/)?'; // `**/`: zero or more directories
          i++;
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`, ci ? 'i' : '');
}

function signerMatches(signer: NonNullable<Identity['signer']>, s: Subject): boolean {
  const sig = s.signature;
  if (sig === undefined || sig.signed !== true) return false;
  if (sig.trusted === false) return false;
  if (sig.status !== undefined && norm(sig.status) !== 'valid') return false;
  if (sig.subject_name === undefined || norm(sig.subject_name) !== norm(signer.subject)) return false;
  if (s.pe?.product === undefined || norm(s.pe.product) !== norm(signer.product)) return false;
  if (signer.minVersion !== undefined) {
    const have = parseVersion(s.pe.file_version);
    const want = parseVersion(signer.minVersion);
    if (have === undefined || want === undefined || !versionAtLeast(have, want)) return false;
  }
  if (signer.originalFileName !== undefined) {
    const strip = (x: string | undefined) => norm(x)?.replace(/\.mui$/, '');
    const have = strip(s.pe.original_file_name);
    if (have === undefined || have !== strip(signer.originalFileName)) return false;
  }
  return true;
}

export function identityMatches(id: Identity, s: Subject): boolean {
  if (id.sha256 !== undefined) {
    const h = s.sha256?.toLowerCase();
    if (h === undefined || !id.sha256.some((x) => x.toLowerCase() === h)) return false;
  }
  if (id.signer !== undefined && !signerMatches(id.signer, s)) return false;
  if (id.package !== undefined) {
    const pkg = s.provenance?.package;
    if (pkg === undefined || pkg.verified !== true) return false;
    if (id.package.manager !== 'any' && pkg.manager !== id.package.manager) return false;
    if (id.package.names !== undefined && !id.package.names.includes(pkg.name)) return false;
  }
  if (id.path !== undefined) {
    if (s.provenance?.path_admin_only !== true || s.path === undefined) return false;
    const p = s.path;
    if (!id.path.some((g) => globToRegExp(g).test(p))) return false;
  }
  if (id.name !== undefined) {
    const names = namesOf(s);
    if (!id.name.some((n) => names.includes(n.toLowerCase()))) return false;
  }
  return true;
}

// ---- §5 conditions ---------------------------------------------------------------------------

export function argsHold(args: NonNullable<Match['args']>, argString: string): boolean {
  const flags = args.caseSensitive ? 'u' : 'iu';
  const test = (re: string) => new RegExp(re, flags).test(argString);
  if (args.any !== undefined && !args.any.some(test)) return false;
  if (args.all !== undefined && !args.all.every(test)) return false;
  if (args.none?.some(test)) return false;
  return true;
}

/** User names and groups compare case-insensitively (Windows accounts are); ids exactly. */
export function userHolds(u: NonNullable<Match['user']>, event: ExecEvent): boolean {
  const user = event.user;
  const inList = (list: readonly string[], v: string) => list.some((x) => x.toLowerCase() === v.toLowerCase());
  if (u.names !== undefined && user?.name !== undefined && inList(u.names, user.name)) return true;
  if (u.ids !== undefined && user?.id !== undefined && u.ids.includes(user.id)) return true;
  if (u.groups !== undefined) {
    const groups: string[] = [];
    if (user?.group?.name !== undefined) groups.push(user.group.name);
    groups.push(...(event.execguard?.groups ?? []));
    if (groups.some((g) => inList(u.groups!, g))) return true;
  }
  return false;
}

export function matchHolds(m: Match, facts: Facts, event: ExecEvent): boolean {
  if (m.program !== undefined && !identityMatches(m.program, facts.program)) return false;
  if (m.args !== undefined && !argsHold(m.args, facts.argString)) return false;
  if (m.script !== undefined && (facts.script === undefined || !identityMatches(m.script, facts.script))) return false;
  if (m.inlineCode !== undefined && (facts.contentKind === 'inline') !== m.inlineCode) return false;
  if (m.stdinScript !== undefined && (facts.contentKind === 'stdin') !== m.stdinScript) return false;
  if (m.parent !== undefined && (facts.parent === undefined || !identityMatches(m.parent, facts.parent))) return false;
  if (m.ancestor !== undefined) {
    const candidates = [...(facts.parent ? [facts.parent] : []), ...facts.ancestors];
    const anc = m.ancestor;
    if (!candidates.some((c) => identityMatches(anc, c))) return false;
  }
  if (m.user !== undefined && !userHolds(m.user, event)) return false;
  if (m.proxyUse !== undefined && facts.proxyUse !== m.proxyUse) return false;
  if (m.masquerade !== undefined && facts.masquerade !== m.masquerade) return false;
  if (m.userWritableLocation !== undefined && facts.userWritable !== m.userWritableLocation) return false;
  return true;
}

// ---- §5 approval -----------------------------------------------------------------------------

export function approvesProgram(m: Match): boolean {
  return m.program !== undefined;
}

export function approvesContent(m: Match, kind: ContentKind): boolean {
  switch (kind) {
    case 'script':
      return m.script !== undefined;
    case 'inline':
      return m.inlineCode === true;
    case 'stdin':
      return m.stdinScript === true;
    case 'none':
      return false;
  }
}

/** A single holding rule/exception covers the execution on its own. */
export function coversAlone(m: Match, kind: ContentKind): boolean {
  return approvesProgram(m) && (kind === 'none' || approvesContent(m, kind));
}

// ---- reasons: the event fields a match looked at -----------------------------------------------

function identityFields(prefix: string, id: Identity, s: Subject, out: Record<string, string | boolean | number>): void {
  if (s.path !== undefined) out[`${prefix}.executable`] = s.path;
  if (id.sha256 !== undefined && s.sha256 !== undefined) out[`${prefix}.hash.sha256`] = s.sha256;
  if (id.signer !== undefined) {
    if (s.signature?.subject_name !== undefined) out[`${prefix}.code_signature.subject_name`] = s.signature.subject_name;
    if (s.pe?.product !== undefined) out[`${prefix}.pe.product`] = s.pe.product;
    if (s.pe?.file_version !== undefined) out[`${prefix}.pe.file_version`] = s.pe.file_version;
  }
  if (id.package !== undefined && s.provenance?.package !== undefined) out[`${prefix}.package.name`] = s.provenance.package.name;
  if (id.path !== undefined && s.provenance?.path_admin_only !== undefined) {
    out[`${prefix}.path_admin_only`] = s.provenance.path_admin_only;
  }
  if (id.name !== undefined) {
    if (s.basename !== undefined) out[`${prefix}.name`] = s.basename;
    if (s.originalName !== undefined) out[`${prefix}.pe.original_file_name`] = s.originalName;
  }
}

export function matchFields(m: Match, facts: Facts, event: ExecEvent): Record<string, string | boolean | number> {
  const out: Record<string, string | boolean | number> = {};
  if (m.program !== undefined) identityFields('process', m.program, facts.program, out);
  if (m.args !== undefined) out['process.args'] = facts.argString;
  if (m.script !== undefined && facts.script !== undefined) identityFields('file', m.script, facts.script, out);
  if (m.inlineCode !== undefined || m.stdinScript !== undefined) {
    out['execguard.content_kind'] = facts.contentKind;
    if (event.execguard?.stdin !== undefined) out['execguard.stdin'] = event.execguard.stdin;
  }
  if (m.parent !== undefined && facts.parent !== undefined) identityFields('process.parent', m.parent, facts.parent, out);
  if (m.ancestor !== undefined) {
    const all = [...(facts.parent ? [facts.parent] : []), ...facts.ancestors];
    const hit = all.find((c) => identityMatches(m.ancestor!, c));
    if (hit !== undefined) identityFields(hit.role === 'parent' ? 'process.parent' : 'execguard.ancestors', m.ancestor, hit, out);
  }
  if (m.user !== undefined) {
    if (event.user?.name !== undefined) out['user.name'] = event.user.name;
    if (event.user?.id !== undefined) out['user.id'] = event.user.id;
  }
  if (m.proxyUse !== undefined) out['execguard.proxy_use'] = facts.proxyUse;
  if (m.masquerade !== undefined) out['execguard.masquerade'] = facts.masquerade;
  if (m.userWritableLocation !== undefined) out['execguard.user_writable_location'] = facts.userWritable;
  return out;
}
