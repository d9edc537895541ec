import type { Catalogue, Identity } from '@execguard/schema';
import { userWritableKind } from '../lint/paths.js';
import type { InitEntry } from './types.js';

// Sorting baseline entries into the strongest identity each one supports, in this order:
// package provenance (verified) > signer + product > sha256 > path (admin-only chains, scripts).

export type Subject = 'program' | 'script';

/** Only what execve starts is a program or script; libraries, objects and installers are not. */
export function subjectOf(e: InitEntry): Subject | undefined {
  if (e.type === 'elf-executable' || e.type === 'pe') return 'program';
  if (e.type === 'script') return 'script';
  return undefined;
}

export type Tier =
  | { readonly tier: 'package'; readonly manager: 'dpkg' | 'rpm' }
  | { readonly tier: 'signer'; readonly subject: string; readonly product: string; readonly originalFileName?: string }
  | { readonly tier: 'sha256' }
  | { readonly tier: 'path' }
  | { readonly tier: 'excluded'; readonly reason: string };

export const adminOnly = (e: InitEntry) => (e.writableBy ?? []).length === 0;

export function tierOf(e: InitEntry, subject: Subject, scriptPaths: boolean, catalogue: Catalogue): Tier {
  if (e.package?.verified === true) return { tier: 'package', manager: e.package.manager };
  // The file no longer matches what the package installed: allowing its current hash would bless
  // a modified (possibly trojaned) system file. Left out for review instead.
  if (e.package?.verified === false) return { tier: 'excluded', reason: 'hash differs from the package record' };
  if (e.signer?.product) {
    return {
      tier: 'signer',
      subject: e.signer.subject,
      product: e.signer.product,
      ...(e.signer.originalFileName ? { originalFileName: e.signer.originalFileName } : {}),
    };
  }
  // Scripts are edited in place by administrators; an exact path in a chain nobody else can write
  // survives those edits where a hash would not. Never in a user-writable location (EG-L001).
  if (subject === 'script' && scriptPaths && adminOnly(e) && !userWritableKind(e.path, catalogue)) return { tier: 'path' };
  return { tier: 'sha256' };
}

/** Leading dotted numbers of a file version, as the engine compares them ("10.0.1 (Build…)" → 10.0.1). */
export function dottedVersion(v: string | undefined): number[] | undefined {
  const m = v?.trim().match(/^(\d+(?:\.\d+){0,3})(?:\s|$)/);
  return m?.[1] ? m[1].split('.').map(Number) : undefined;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** minVersion for a signer group: the oldest version seen; none when any file has no usable version. */
export function oldestVersion(entries: readonly InitEntry[]): string | undefined {
  const versions = entries.map((e) => dottedVersion(e.signer?.fileVersion));
  if (versions.length === 0 || versions.some((v) => v === undefined)) return undefined;
  const sorted = (versions as number[][]).sort(compareVersions);
  return sorted[0]?.join('.');
}

export function signerIdentity(t: Extract<Tier, { tier: 'signer' }>, entries: readonly InitEntry[]): Identity {
  const minVersion = oldestVersion(entries);
  return {
    signer: {
      subject: t.subject,
      product: t.product,
      ...(minVersion ? { minVersion } : {}),
      ...(t.originalFileName ? { originalFileName: t.originalFileName } : {}),
    },
  };
}

export function directoryOf(path: string): string {
  const p = path.replace(/\\/g, '/');
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** A rule id fragment from free text: ObjectId allows letters, digits and . _ : - only. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (s || 'root').slice(0, 80);
}
