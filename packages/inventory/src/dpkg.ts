import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageDatabase, PackageLookup } from './packages.js';

/**
 * On merged-/usr systems /bin is a symlink to usr/bin and dpkg still records /bin/true, so
 * `dpkg -S /usr/bin/true` finds nothing. We try the path, then its alias through each top-level
 * directory that is a symlink into /usr.
 */
function usrMergeAliases(root: string): Array<[string, string]> {
  const aliases: Array<[string, string]> = [];
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    try {
      const p = join(root, top);
      if (!lstatSync(p).isSymbolicLink()) continue;
      const target = readlinkSync(p).replace(/^\/+/, '');
      if (target === `usr/${top}`) aliases.push([`/usr/${top}/`, `/${top}/`]);
    } catch {
      // absent: no alias
    }
  }
  return aliases;
}

/**
 * The key of the dpkg database: dpkg renames new .list/.md5sums files into the info directory
 * (changing its mtime) and rewrites the status file on every install, upgrade or removal.
 */
export function dpkgKey(infoDir = '/var/lib/dpkg/info', statusFile = join(infoDir, '..', 'status')): string | undefined {
  try {
    const d = statSync(infoDir);
    let status = 'none';
    try {
      const s = statSync(statusFile);
      status = `${s.mtimeMs}:${s.ctimeMs}:${s.size}`;
    } catch {
      // no status file: the info directory alone
    }
    return `dpkg:${d.dev}:${d.ino}:${d.mtimeMs}:${d.ctimeMs}:${status}`;
  } catch {
    return undefined;
  }
}

/** Recorded paths that can hold a file under one of the scope paths, through a merged-/usr alias too. */
function scopePrefixes(scope: readonly string[] | undefined, aliases: ReadonlyArray<[string, string]>): string[] | undefined {
  if (!scope || scope.some((s) => s === '/')) return undefined;
  const out = new Set<string>();
  for (const raw of scope) {
    const s = raw.replace(/\/+$/, '');
    out.add(s);
    for (const [usr, top] of aliases) {
      // "/usr/bin" → "/bin", "/usr/bin/x" → "/bin/x" (a prefix never ends in "/": it is matched as a whole segment)
      if (`${s}/`.startsWith(usr)) out.add(top.slice(0, -1) + s.slice(usr.length - 1));
      else if (`${s}/`.startsWith(top)) out.add(usr.slice(0, -1) + s.slice(top.length - 1));
      // scanning /usr covers every /bin/x alias, scanning /lib covers nothing else
      else if (usr.startsWith(`${s}/`)) out.add(top.slice(0, -1));
    }
  }
  return [...out];
}

export interface LoadDpkgOptions {
  /** Only paths under these absolute paths are looked up later: everything else is skipped while parsing. */
  readonly scope?: readonly string[];
}

/**
 * Reads /var/lib/dpkg/info/*.list (package names as dpkg -S prints them: pkg or pkg:arch). The
 * .md5sums of a package are parsed only when one of its files is looked up, and only the lines in
 * scope, so a scan of /usr/bin does not pay for the whole database.
 */
export function loadDpkg(infoDir = '/var/lib/dpkg/info', fsRoot = '/', options: LoadDpkgOptions = {}): PackageDatabase {
  let entries: string[] = [];
  try {
    entries = readdirSync(infoDir);
  } catch {
    return { available: false, lookup: () => undefined };
  }
  const key = dpkgKey(infoDir);
  const aliases = usrMergeAliases(fsRoot);
  const prefixes = scopePrefixes(options.scope, aliases);
  const packages: string[] = [];
  const hasMd5sums = new Set<string>();
  for (const entry of entries) if (entry.endsWith('.md5sums')) hasMd5sums.add(entry.slice(0, -'.md5sums'.length));
  /** path → index into `packages`, or several indexes for a path shared between packages. */
  const owners = new Map<string, number | number[]>();
  // Lines in scope start with a prefix: searched for as bytes, "\n/usr/bin" (the first line: "/usr/bin").
  const needles = prefixes?.map((p) => [Buffer.from(p), Buffer.from(`\n${p}`)] as const);
  for (const entry of entries) {
    if (!entry.endsWith('.list')) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(infoDir, entry));
    } catch {
      continue;
    }
    const pkg = packages.length;
    packages.push(entry.slice(0, -'.list'.length));
    const add = (path: string) => {
      const had = owners.get(path);
      if (had === undefined) owners.set(path, pkg);
      else if (typeof had === 'number') {
        if (had !== pkg) owners.set(path, [had, pkg]);
      } else if (!had.includes(pkg)) had.push(pkg);
    };
    if (needles) {
      // Jump from one line in scope to the next (a byte search) and decode only those lines.
      for (const [prefix, needle] of needles) {
        let at = bytes.subarray(0, prefix.length).equals(prefix) ? 0 : bytes.indexOf(needle);
        while (at >= 0) {
          const start = at === 0 && bytes[0] !== 10 ? 0 : at + 1;
          const after = start + prefix.length;
          let end = bytes.indexOf(10, after);
          if (end < 0) end = bytes.length;
          if (after === end || bytes[after] === 47) add(bytes.toString('utf8', start, end));
          at = bytes.indexOf(needle, end);
        }
      }
      continue;
    }
    const text = bytes.toString('utf8');
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      if (end - at > 2) add(text.slice(at, end));
      at = end + 1;
    }
  }

  // Per package, on first use: its md5sums (the lines in scope) and its install ctime.
  const md5Needles = prefixes?.map((p) => Buffer.from(`  ${p.slice(1)}/`));
  const md5ByPackage = new Map<number, Map<string, string>>();
  const md5sOf = (pkg: number): Map<string, string> => {
    let m = md5ByPackage.get(pkg);
    if (m) return m;
    m = new Map();
    md5ByPackage.set(pkg, m);
    const name = packages[pkg]!;
    if (!hasMd5sums.has(name)) return m;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(infoDir, `${name}.md5sums`));
    } catch {
      return m;
    }
    // "d41d8cd98f00b204e9800998ecf8427e  usr/bin/true": the path follows 32 hex digits and two spaces, without its "/"
    const add = (start: number, pathAt: number, end: number) => {
      const sum = bytes.toString('latin1', start, start + 32);
      if (/^[0-9a-f]{32}$/.test(sum)) m.set(`/${bytes.toString('utf8', pathAt, end)}`, sum);
    };
    if (md5Needles) {
      // As for the .list files: jump to the lines in scope ("  usr/bin/") and decode only those.
      for (const needle of md5Needles) {
        for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
          const start = at - 32;
          if (start < 0 || (start > 0 && bytes[start - 1] !== 10)) continue;
          let end = bytes.indexOf(10, at);
          if (end < 0) end = bytes.length;
          add(start, at + 2, end);
          at = end;
        }
      }
      return m;
    }
    let at = 0;
    while (at < bytes.length) {
      let end = bytes.indexOf(10, at);
      if (end < 0) end = bytes.length;
      if (end - at > 34 && bytes[at + 32] === 32 && bytes[at + 33] === 32) add(at, at + 34, end);
      at = end + 1;
    }
    return m;
  };
  const installed = new Map<number, number | undefined>();
  const installedOf = (pkg: number): number | undefined => {
    if (installed.has(pkg)) return installed.get(pkg);
    const name = packages[pkg]!;
    let t: number | undefined;
    for (const suffix of ['.list', '.md5sums']) {
      try {
        const c = statSync(join(infoDir, name + suffix)).ctimeMs;
        t = t === undefined ? c : Math.min(t, c);
      } catch {
        // .md5sums is optional
      }
    }
    installed.set(pkg, t);
    return t;
  };

  const at = (path: string): PackageLookup | undefined => {
    const o = owners.get(path);
    if (o === undefined) return undefined;
    const ids = typeof o === 'number' ? [o] : o;
    let md5: string | undefined;
    let installedCtimeMs: number | undefined;
    let known = true;
    for (const id of ids) {
      md5 = md5sOf(id).get(path) ?? md5; // the last package listed wins, as before
      const t = installedOf(id);
      if (t === undefined) known = false;
      else installedCtimeMs = installedCtimeMs === undefined ? t : Math.min(installedCtimeMs, t);
    }
    return {
      manager: 'dpkg',
      names: ids.map((id) => packages[id]!).sort(),
      recordedPath: path,
      ...(md5 ? { md5 } : {}),
      ...(known && installedCtimeMs !== undefined ? { installedCtimeMs } : {}),
    };
  };
  return {
    available: existsSync(infoDir),
    ...(key ? { key } : {}),
    lookup(path) {
      const direct = at(path);
      if (direct) return direct;
      for (const [usr, top] of aliases) {
        if (path.startsWith(usr)) return at(top + path.slice(usr.length));
        if (path.startsWith(top)) return at(usr + path.slice(top.length));
      }
      return undefined;
    },
  };
}
