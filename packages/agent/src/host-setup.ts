/**
 * What the agent marks when the command line does not say: every mount that can execute files (the
 * pseudo file systems and noexec mounts cannot), and the C library files this system's programs
 * load, found where this very process mapped its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const PSEUDO = new Set([
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'efivarfs',
  'nsfs',
  'rpc_pipefs',
]);

/** Unescapes the octal escapes /proc/self/mountinfo uses for spaces and the like. */
const unescapeOctal = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** Mount points that can execute files, from /proc/self/mountinfo. */
export function executableMounts(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const mountPoint = f[4];
    const options = f[5] ?? '';
    const fstype = right.split(' ')[0] ?? '';
    if (!mountPoint || PSEUDO.has(fstype) || options.split(',').includes('noexec')) continue;
    out.push(unescapeOctal(mountPoint));
  }
  return [...new Set(out)];
}

/** The C library files mapped into this process (glibc's libc.so.6, musl's libc). */
export function libcPaths(maps = readFileSync('/proc/self/maps', 'utf8')): string[] {
  const out = new Set<string>();
  for (const line of maps.split('\n')) {
    const path = line.slice(line.indexOf('/'));
    if (line.includes('/') && /\/libc(\.so\.6|\.musl-[^/]*\.so\.1|-[0-9.]+\.so)$/.test(path)) out.add(path);
  }
  return [...out];
}

export const MEMFD_NOEXEC_SYSCTL = '/proc/sys/vm/memfd_noexec';

/**
 * Raises vm.memfd_noexec to 2: memory files can no longer be executed at all. fanotify cannot mark
 * the kernel's internal memfd file system, and a static program run from a memfd never opens libc,
 * so without this such an execution is seen by neither check (ADR 0007). The setting belongs to the
 * caller's PID namespace (the host's, for the agent); namespaces created below it cannot go lower. It
 * breaks software that executes memfds (some container runtimes), hence opt-in
 * (`agent run --memfd-noexec`); stopping the agent leaves it set (an administrator lowers it with
 * sysctl). Returns the value before and after; null when the kernel has no such setting (before
 * Linux 6.3).
 */
export function raiseMemfdNoexec(path = MEMFD_NOEXEC_SYSCTL): { before: number | null; after: number | null } {
  const read = () => {
    try {
      return Number(readFileSync(path, 'utf8').trim());
    } catch {
      return null;
    }
  };
  const before = read();
  if (before === null || before >= 2) return { before, after: before };
  writeFileSync(path, '2\n');
  return { before, after: read() };
}
