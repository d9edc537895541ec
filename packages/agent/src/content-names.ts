/**
 * The host's interpreters, loaders and proxy binaries by content. A copy of python3 named `notes`
 * in /tmp is still python3: without this, a policy allowing python3 by sha256 would let the copy run
 * inline code, and a copy of ld.so allowed by hash would start any ELF, because the catalogue knows
 * programs by name. The core gives each executed file whose sha256 is listed here that name as its
 * second name (execguard.process.content_name; spec §3 "Names"), like a PE original file name.
 *
 * Only system directories are read (root-owned on any sane host), so no user can add a name.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { behaviourOfName } from '@execguard/engine';
import type { Catalogue } from '@execguard/schema';

export interface ContentName {
  readonly sha256: string;
  readonly name: string;
}

export const CONTENT_NAME_DIRS = [
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/bin',
  '/sbin',
  '/lib64',
  '/usr/lib64',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
];

/**
 * Hashes already computed in this process, by file identity (dev, inode, size, times: the re-scan key),
 * so links and later policies read a file once and an upgraded file again (node alone is ~100 MB).
 */
const memo = new Map<string, string>();

async function sha256Of(path: string, st: Stats): Promise<string> {
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = memo.get(key);
  if (known) return known;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  const sha = h.digest('hex');
  memo.set(key, sha);
  return sha;
}

/** Every regular file in `dirs` (not below) whose name the catalogue knows as an interpreter, loader or proxy binary on Linux. */
export async function contentNames(catalogue: Catalogue, dirs: readonly string[] = CONTENT_NAME_DIRS): Promise<ContentName[]> {
  const behaviour = behaviourOfName(catalogue, 'linux');
  const out = new Map<string, ContentName>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!behaviour(name)) continue;
      let real: string;
      let st: Stats;
      try {
        real = realpathSync(join(dir, name));
        st = statSync(real);
        if (!st.isFile()) continue;
      } catch {
        continue;
      }
      let sha: string;
      try {
        sha = await sha256Of(real, st);
      } catch {
        continue;
      }
      out.set(`${sha}/${name}`, { sha256: sha, name });
    }
  }
  return [...out.values()];
}
