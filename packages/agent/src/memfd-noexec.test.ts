// vm.memfd_noexec = 2 closes what fanotify cannot see: a static program executed from a memory file.
// Each case runs in a PID namespace of its own (the setting belongs to the PID namespace), so the
// host's value is never changed — the test checks that too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MEMFD_NOEXEC_SYSCTL } from './index.js';

const INDEX = join(dirname(fileURLToPath(import.meta.url)), 'index.js');
// Debian's ldconfig is statically linked: it never opens libc, so the agent's libc check never sees it.
const STATIC = '/usr/sbin/ldconfig';
const PYTHON = '/usr/bin/python3';

const pidNamespaces = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;
const skip = !existsSync(MEMFD_NOEXEC_SYSCTL)
  ? 'the kernel has no vm.memfd_noexec (Linux 6.3+)'
  : !pidNamespaces
    ? 'cannot create a PID namespace (needs root)'
    : !existsSync(STATIC) || !existsSync(PYTHON)
      ? `needs ${STATIC} and ${PYTHON}`
      : false;

/** In a new PID namespace: optionally raise the setting, then run STATIC from a memfd. */
function inNamespace(harden: boolean): { raised: unknown; ran: boolean; denied: boolean } {
  const memfdExec = [
    'import os, sys',
    `fd = os.memfd_create("payload", 0)`,
    `os.write(fd, open(${JSON.stringify(STATIC)}, "rb").read())`,
    'try:',
    `    os.execv(f"/proc/self/fd/{fd}", ["payload", "--version"])`,
    'except PermissionError:',
    '    print("EACCES"); sys.exit(13)',
  ].join('\n');
  const script = `
    const { spawnSync } = await import('node:child_process');
    const { raiseMemfdNoexec } = await import(${JSON.stringify(INDEX)});
    const raised = ${harden} ? raiseMemfdNoexec() : null;
    const r = spawnSync(${JSON.stringify(PYTHON)}, ['-c', ${JSON.stringify(memfdExec)}], { encoding: 'utf8' });
    console.log(JSON.stringify({ raised, status: r.status, out: r.stdout }));`;
  const r = spawnSync('unshare', ['--pid', '--fork', process.execPath, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
  return {
    raised: o.raised,
    ran: o.status === 0 && /ldconfig/i.test(o.out),
    denied: o.status === 13 && o.out.includes('EACCES'),
  };
}

test('raiseMemfdNoexec: a static program from a memory file runs before and is refused after', { skip }, () => {
  const hostBefore = readFileSync(MEMFD_NOEXEC_SYSCTL, 'utf8');
  const open = inNamespace(false);
  if (Number(hostBefore) < 2) assert.ok(open.ran, 'without the setting the static program runs from a memfd (the gap)');
  const closed = inNamespace(true);
  assert.deepEqual(closed.raised, { before: Number(hostBefore), after: 2 });
  assert.ok(closed.denied, 'with vm.memfd_noexec = 2 the execution is refused');
  assert.equal(readFileSync(MEMFD_NOEXEC_SYSCTL, 'utf8'), hostBefore, "the host's own setting is untouched");
});
