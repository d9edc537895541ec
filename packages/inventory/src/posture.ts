import { accessSync, constants, existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import type { MountTable } from './mounts.js';
import { RPM_DATABASES } from './rpm.js';
import type { PostureRecord, TmpDirPosture } from './types.js';

const TMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm'];
const LOADER_DIRS = ['/lib', '/lib64', '/lib32', '/usr/lib', '/usr/lib64', '/usr/lib32'];

function tmpDir(path: string, mounts: MountTable): TmpDirPosture {
  try {
    const real = realpathSync(path);
    const st = lstatSync(real);
    const worldWritable = (st.mode & 0o002) !== 0;
    const mount = mounts.containing(real);
    return {
      path,
      exists: true,
      worldWritable,
      sticky: (st.mode & 0o1000) !== 0,
      ...(mount ? { mount } : {}),
      exposed: worldWritable && !(mount?.noexec ?? false),
    };
  } catch {
    return { path, exists: false };
  }
}

/** ld.so copies under the library directories and their multiarch subdirectories, resolved and deduplicated. */
function loaders(): string[] {
  const found = new Set<string>();
  const visited = new Set<string>(); // /lib and /usr/lib are one directory on merged-/usr systems
  const visit = (dir: string, depth: number) => {
    let entries: string[];
    try {
      const real = realpathSync(dir);
      if (visited.has(real)) return;
      visited.add(real);
      entries = readdirSync(real);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      if (e.startsWith('ld-') && (/^ld-.*\.so(\.\d+)*$/.test(e) || /^ld-linux.*\.so/.test(e))) {
        try {
          found.add(realpathSync(p));
        } catch {
          // dangling link: not a usable loader
        }
      } else if (depth === 0 && /-linux-gnu|-linux-musl/.test(e)) visit(p, 1);
    }
  };
  for (const d of LOADER_DIRS) visit(d, 0);
  return [...found].sort();
}

export function rpmDatabaseState(): 'readable' | 'absent' | 'unreadable' {
  for (const dir of RPM_DATABASES) {
    if (!existsSync(dir)) continue;
    try {
      accessSync(dir, constants.R_OK);
      if (readdirSync(dir).length > 0) return 'readable';
    } catch {
      return 'unreadable';
    }
  }
  return 'absent';
}

function memfdNoexec(): number | null {
  try {
    const v = Number(readFileSync('/proc/sys/vm/memfd_noexec', 'utf8').trim());
    return Number.isInteger(v) ? v : null;
  } catch {
    return null; // kernels before 6.3 have no such knob
  }
}

export function hostPosture(mounts: MountTable): PostureRecord {
  return {
    kind: 'posture',
    host: hostname(),
    kernel: release(),
    tmpDirs: TMP_DIRS.map((d) => tmpDir(d, mounts)),
    memfdNoexec: memfdNoexec(),
    loaders: loaders(),
    ldSoPreload: existsSync('/etc/ld.so.preload'),
    rpmDatabase: rpmDatabaseState(),
  };
}
