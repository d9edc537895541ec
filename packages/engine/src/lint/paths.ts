import type { Catalogue } from '@execguard/schema';
import { isWindowsPattern, literalPrefixSegments, normalisePath } from '../glob.js';

/** A concrete path the glob matches (wildcards filled in), to test against location patterns. */
export function examplePath(glob: string): string {
  return normalisePath(glob).replace(/\*\*/g, 'x/x').replace(/[*?]/g, 'x');
}

/** The catalogue's user-writable location kind that a glob reaches into, if any. */
export function userWritableKind(glob: string, catalogue: Catalogue): string | undefined {
  const platform = isWindowsPattern(glob) ? 'windows' : 'linux';
  const sample = examplePath(glob).toLowerCase();
  return catalogue.userWritableLocations.find((l) => l.platform === platform && new RegExp(l.pattern).test(sample))?.kind;
}

/**
 * How many literal directory levels a glob pins before its first wildcard ("/usr/bin/*" → 2,
 * "/opt/**" → 1, "/**" → 0). Fewer than two means a whole top-level tree.
 */
export function literalDepth(glob: string): number {
  const segs = literalPrefixSegments(glob).filter((s) => s !== '' && !/^[a-z]:$/i.test(s));
  const full = normalisePath(glob)
    .split('/')
    .filter((s) => s !== '' && !/^[a-z]:$/i.test(s)).length;
  // A fully literal path pins everything.
  return segs.length === full ? Number.POSITIVE_INFINITY : segs.length;
}

export function hasWildcard(glob: string): boolean {
  return /[*?]/.test(glob);
}
