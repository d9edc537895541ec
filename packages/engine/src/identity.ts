import type { Identity } from '@execguard/schema';
import { globToRegExp } from './glob.js';
import { hashIn, type Subject } from './subject.js';

/** An identity ready to test: sets and regexes built once. */
export interface CompiledIdentity {
  readonly source: Identity;
  readonly sha256: ReadonlySet<string> | undefined;
  readonly signer:
    | { subject: string; product: string; minVersion: number[] | undefined; originalFileName: string | undefined }
    | undefined;
  readonly pkg: { manager: 'dpkg' | 'rpm' | 'any'; names: ReadonlySet<string> | undefined } | undefined;
  readonly paths: readonly RegExp[] | undefined;
  readonly names: ReadonlySet<string> | undefined;
}

/** Leading dotted numbers, then whitespace or the end ("10.0.19041.1 (WinBuild…)"); "v2", "1,2", "8.0-beta" are no version. */
export function parseVersion(v: string): number[] | undefined {
  const m = /^\s*(\d+(?:\.\d+)*)(?:\s|$)/.exec(v);
  return m ? (m[1] as string).split('.').map(Number) : undefined;
}

export function versionAtLeast(have: number[], min: number[]): boolean {
  for (let i = 0; i < Math.max(have.length, min.length); i++) {
    const a = have[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

export function compileIdentity(id: Identity): CompiledIdentity {
  return {
    source: id,
    sha256: id.sha256 ? new Set(id.sha256.map((h) => h.toLowerCase())) : undefined,
    signer: id.signer
      ? {
          subject: id.signer.subject.trim().toLowerCase(),
          product: id.signer.product.trim().toLowerCase(),
          minVersion: id.signer.minVersion ? parseVersion(id.signer.minVersion) : undefined,
          originalFileName: id.signer.originalFileName
            ?.trim()
            .toLowerCase()
            .replace(/\.mui$/, ''),
        }
      : undefined,
    pkg: id.package
      ? { manager: id.package.manager, names: id.package.names ? new Set(id.package.names) : undefined }
      : undefined,
    paths: id.path?.map(globToRegExp),
    names: id.name ? new Set(id.name.map((n) => n.toLowerCase())) : undefined,
  };
}

/**
 * Does the identity match the subject? Every key present must match (spec §4). When `notes` is
 * given, the reason for the outcome is appended (explain mode); otherwise nothing is allocated.
 */
export function matchIdentity(id: CompiledIdentity, s: Subject, notes?: string[], shaChecked = false): boolean {
  if (id.sha256 && !shaChecked) {
    if (!s.sha256 || !hashIn(id.sha256, s.sha256))
      return fail(notes, s.sha256 ? `sha256 ${s.sha256} not listed` : 'no sha256 recorded');
    notes?.push(`sha256 ${s.sha256} listed`);
  }
  if (id.signer) {
    const sig = s.signature;
    const want = id.signer;
    if (!sig) return fail(notes, 'not signed');
    if (!sig.valid) return fail(notes, 'signature not valid or not trusted');
    if (sig.subject !== want.subject) return fail(notes, `signer "${sig.subject}" is not "${want.subject}"`);
    if (sig.product !== want.product) return fail(notes, `product "${sig.product ?? ''}" is not "${want.product}"`);
    if (want.minVersion) {
      const have = sig.version ? parseVersion(sig.version) : undefined;
      if (!have || !versionAtLeast(have, want.minVersion)) {
        return fail(notes, `version ${sig.version ?? '(none)'} below ${want.minVersion.join('.')}`);
      }
    }
    if (want.originalFileName && s.originalName !== want.originalFileName) {
      return fail(notes, `OriginalFileName "${s.originalName ?? ''}" is not "${want.originalFileName}"`);
    }
    notes?.push(`signed by "${sig.subject}" for "${want.product}"`);
  }
  if (id.pkg) {
    const p = s.pkg;
    if (!p) return fail(notes, 'not owned by a package');
    if (!p.verified) return fail(notes, `hash differs from the ${p.manager} record of ${p.name}`);
    if (id.pkg.manager !== 'any' && p.manager !== id.pkg.manager)
      return fail(notes, `owned by ${p.manager}, not ${id.pkg.manager}`);
    if (id.pkg.names && !id.pkg.names.has(p.name)) return fail(notes, `package ${p.name} not listed`);
    notes?.push(`verified file of ${p.manager} package ${p.name}`);
  }
  if (id.paths) {
    if (!s.path) return fail(notes, 'no path recorded');
    if (!id.paths.some((re) => re.test(s.path as string))) return fail(notes, `path ${s.path} does not match`);
    if (!s.pathAdminOnly) return fail(notes, `path ${s.path} matches, but its directory chain is not administrator-only`);
    notes?.push(`path ${s.path} matches and is administrator-only`);
  }
  if (id.names) {
    const hit = (s.basename && id.names.has(s.basename)) || (s.originalName && id.names.has(s.originalName));
    if (!hit) return fail(notes, `name ${s.basename ?? '(none)'} not listed`);
    notes?.push(`name ${s.basename ?? ''}${s.originalName ? ` / ${s.originalName}` : ''} listed`);
  }
  return true;
}

function fail(notes: string[] | undefined, why: string): false {
  notes?.push(why);
  return false;
}
