import { readFileSync } from 'node:fs';
import type { MountInfo } from './types.js';

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescapeOctal = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

export interface MountTable {
  /** The mount that contains this (already resolved) absolute path: the longest mount point prefix. */
  containing(path: string): MountInfo | undefined;
  readonly mounts: readonly MountInfo[];
}

export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    const point = left[4];
    const options = left[5];
    const fstype = right[0];
    if (!point || !options || !fstype) continue;
    const opts = options.split(',');
    mounts.push({
      point: unescapeOctal(point),
      fstype,
      source: unescapeOctal(right[1] ?? ''),
      options: opts,
      noexec: opts.includes('noexec'),
    });
  }
  return mounts;
}

export function loadMounts(file = '/proc/self/mountinfo'): MountTable {
  let mounts: MountInfo[] = [];
  try {
    mounts = parseMountInfo(readFileSync(file, 'utf8'));
  } catch {
    // Not Linux, or /proc not mounted: mount options are simply not reported.
  }
  // Later lines are mounted over earlier ones at the same point; search from the end.
  const ordered = [...mounts].reverse();
  const cache = new Map<string, MountInfo | undefined>();
  return {
    mounts,
    containing(path) {
      if (cache.has(path)) return cache.get(path);
      let best: MountInfo | undefined;
      for (const m of ordered) {
        const inside = m.point === '/' || path === m.point || path.startsWith(`${m.point}/`);
        if (inside && (!best || m.point.length > best.point.length)) best = m;
      }
      cache.set(path, best);
      return best;
    },
  };
}
