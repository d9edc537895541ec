#!/usr/bin/env node
// One bench:exec scenario, run by bench/exec.mjs as PID 1 of a fresh PID and mount namespace:
//   unshare --mount --propagation private --pid --fork --mount-proc --kill-child node scenario.mjs CONFIG
// Everything it starts (the listener, fapolicyd, the ExecGuard agent) lives and dies inside that
// namespace: the kernel kills the whole PID namespace when this process ends, and every fanotify
// mark is on a mount (or a bind-mounted libc copy) that exists only here. It refuses to run in the
// harness's own mount namespace.
//
// Steps: mount the scratch file system, let spawn-storm create the files, (optionally) bind-mount a
// private copy of the C library over the real path, start the listener and wait until its marks are
// in place, sample its RSS and idle CPU, run the storm, stop the listener, print one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const log = (msg) => process.stderr.write(`[${cfg.kind}] ${msg}\n`);
const out = { kind: cfg.kind };
const finish = (extra) => {
  writeSync(1, `${JSON.stringify({ ...out, ...extra })}\n`); // synchronous: process.exit() must not cut it
  process.exit(0);
};
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout;
};

// ---- safety: a private mount namespace, or nothing at all
const here = readlinkSync('/proc/self/ns/mnt');
if (!cfg.outerNs || here === cfg.outerNs) {
  process.stderr.write(`scenario: refusing to run in the harness's mount namespace (${here})\n`);
  process.exit(2);
}

// ---- scratch file system and files
const k = cfg.kind;
const mnt = cfg.mnt;
sh('mount', ['-t', cfg.fs, '-o', 'mode=0755', cfg.fs, mnt]);
sh('mount', ['-t', 'tmpfs', '-o', 'mode=0755,size=256m', 'tmpfs', cfg.work]); // events, logs, libc copy
mkdirSync(`${cfg.work}/events`);
sh(cfg.storm, ['prepare', '--dir', mnt, '--src', cfg.src, '--cold', String(cfg.n)]);
const mountId = (() => {
  let id = -1;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[4] === mnt) id = Number(f[0]); // the last one listed is the top mount
  }
  return id;
})();
const fsCount = readFileSync('/proc/self/mounts', 'utf8')
  .split('\n')
  .filter((l) => l.split(' ')[2] === cfg.fs).length;
out.scratch = { fs: cfg.fs, mountId, mountsOfThatType: fsCount };

// ---- a private libc: copy it to the in-namespace tmpfs and bind-mount the copy over the real path,
//      so an inode mark on "the C library" only ever sees processes of this namespace.
if (cfg.libc) {
  // fapolicyd-libc keeps the copy on the scratch file system, so that its watch_fs also matches the
  // bind mount over libc (fapolicyd marks whole mounts by type, never single inodes).
  const copy = k === 'fapolicyd-libc' ? `${mnt}/libc.so.6` : `${cfg.work}/libc.so.6`;
  copyFileSync(cfg.libc.path, copy);
  sh('mount', ['--bind', copy, cfg.libc.path]);
  const st = statSync(cfg.libc.path);
  const cp = statSync(copy);
  if ((st.dev === cfg.libc.dev && st.ino === cfg.libc.ino) || st.ino !== cp.ino || st.dev !== cp.dev) {
    process.stderr.write(`scenario: ${cfg.libc.path} is not the private copy after the bind mount; refusing\n`);
    process.exit(2);
  }
  out.libc = { path: cfg.libc.path, privateCopy: `${st.dev}:${st.ino}`, host: `${cfg.libc.dev}:${cfg.libc.ino}` };
}

// ---- helpers for the listener process
const clkTck = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const cpuTicks = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15), all threads
};
const statusKb = (pid, key) => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
};
/** Resolves when the process holds a fanotify mark on the scratch mount (from /proc/PID/fdinfo,
 *  where mnt_id is printed in hex). */
async function marksInPlace(pid, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      return false; // gone
    }
    for (const fd of fds) {
      try {
        const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        for (const m of info.matchAll(/^fanotify mnt_id:([0-9a-f]+) /gm)) if (Number.parseInt(m[1], 16) === mountId) return true;
      } catch {
        // closed meanwhile
      }
    }
    await sleep(50);
  }
  return false;
}

let child = null;
// The listener's output goes to files, never to pipes: the storm runs under spawnSync, which stops
// this event loop, and a listener that logs each denial (fapolicyd --debug-deny) would block on a
// full pipe in the middle of a permission decision — hanging every execution in the namespace.
const outFile = `${cfg.work}/listener.out`;
const errFile = `${cfg.work}/listener.err`;
const readText = (f) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
const childOut = () => readText(outFile);
const childErr = () => readText(errFile);
let exited = null;
function start(cmd, args, env) {
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  child = spawn(cmd, args, { stdio: ['ignore', out, err], env: { ...process.env, ...env } });
  closeSync(out);
  closeSync(err);
  child.on('exit', (code, sig) => {
    exited = { code, sig };
  });
  child.on('error', (e) => {
    exited = { code: null, sig: null, error: e.message };
  });
}
async function waitFor(pred, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pred()) return true;
    if (exited) return false;
    await sleep(25);
  }
  return false;
}
async function stop() {
  if (!child || exited) return;
  child.kill('SIGTERM');
  if (!(await waitFor(() => exited, 10000))) {
    child.kill('SIGKILL');
    await waitFor(() => exited, 5000);
  }
}
const tail = (s) => s.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

// ---- start the listener
try {
  if (k === 'raw' || k === 'raw-libc') {
    const args = ['--outer-mntns', cfg.outerNs, '--mount', mnt, '--deny', `${mnt}/denied`];
    if (k === 'raw-libc') args.push('--libc', cfg.libc.path, '--refuse-inode', `${cfg.libc.dev}:${cfg.libc.ino}`);
    start(cfg.rawListener, args);
    if (!(await waitFor(() => childOut().includes('ready'), 10000)))
      throw new Error(`raw-listener did not start: ${tail(childErr())}`);
  } else if (k === 'fapolicyd' || k === 'fapolicyd-libc') {
    // Private configuration, database and run directory (tmpfs over the real ones, in this namespace only).
    for (const d of ['/etc/fapolicyd', '/var/lib/fapolicyd', '/run']) sh('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', d]);
    mkdirSync('/run/fapolicyd', { mode: 0o770 });
    mkdirSync('/etc/fapolicyd/rules.d');
    mkdirSync('/etc/fapolicyd/trust.d');
    writeFileSync('/etc/fapolicyd/fapolicyd.conf', cfg.fapolicyd.conf);
    writeFileSync('/etc/fapolicyd/compiled.rules', cfg.fapolicyd.rules);
    writeFileSync('/etc/fapolicyd/fapolicyd.trust', cfg.fapolicyd.trust);
    const watched = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .filter((l) => cfg.fapolicyd.watchFs.includes(l.split(' ')[2]))
      .map((l) => l.split(' ')[1]);
    const expected = k === 'fapolicyd-libc' ? [mnt, cfg.libc.path] : [mnt];
    if (watched.sort().join('\n') !== expected.sort().join('\n'))
      throw new Error(`fapolicyd would watch ${watched.join(', ') || 'nothing'}, not only ${expected.join(' and ')}`);
    // --debug-deny: stays in the foreground (so it dies with this namespace) and logs denials only.
    start(cfg.fapolicyd.bin, ['--debug-deny']);
    const t0 = Date.now();
    const marked = await marksInPlace(child.pid, 30000);
    if (!marked || exited)
      throw new Error(
        `fapolicyd did not start (${exited ? `exited ${JSON.stringify(exited)}` : `no mount mark after ${Date.now() - t0} ms`}): ${tail(childErr())}`,
      );
  } else if (k === 'eg-audit' || k === 'eg-enforce') {
    const args = [
      ...cfg.agent.args,
      '--policy',
      cfg.agent.policy,
      '--mode',
      k === 'eg-audit' ? 'audit' : 'enforce',
      '--watch',
      mnt,
      '--libc',
      cfg.libc.path,
      '--events',
      `${cfg.work}/events`,
      '--host-id',
      'bench-exec',
      '--json',
    ];
    start(cfg.agent.cmd, args);
    const ready = await waitFor(() => /ready/i.test(childOut()) || /ready/i.test(childErr()), cfg.agent.startMs);
    if (!ready) {
      await stop();
      finish({
        skipped: `not available: the agent ${exited ? `exited (${exited.error ?? exited.code ?? exited.sig})` : `printed no "ready" within ${cfg.agent.startMs / 1000} s`}${childErr() || childOut() ? `: ${tail(childErr() || childOut())}` : ''}`,
      });
    }
    // Belt and braces: the libc the agent maps must be the private copy (its inode marks follow it).
    const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8');
    if (maps.split('\n').some((l) => l.endsWith(cfg.libc.path) && Number(l.split(/\s+/)[4]) === cfg.libc.ino)) {
      child.kill('SIGKILL');
      throw new Error('the agent maps the host C library, not the private copy; killed it');
    }
    out.marksSeen = await marksInPlace(child.pid, 5000);
  } else if (k !== 'none' && k !== 'none-libc') throw new Error(`unknown scenario ${k}`);
} catch (e) {
  await stop();
  finish({ skipped: `not available: ${e.message}` });
}

// ---- idle footprint of the listener: RSS, and CPU over a 2-second idle window
if (child) {
  const pid = child.pid;
  await sleep(300);
  const t0 = cpuTicks(pid);
  const w0 = process.hrtime.bigint();
  await sleep(2000);
  const t1 = cpuTicks(pid);
  const secs = Number(process.hrtime.bigint() - w0) / 1e9;
  out.listener = {
    pid,
    rssKbIdle: statusKb(pid, 'VmRSS'),
    idleCpuPct: Math.round(((t1 - t0) / clkTck / secs) * 100 * 100) / 100,
    idleWindowS: Math.round(secs * 100) / 100,
  };
}

// ---- the storm
const phases = k.startsWith('none') ? 'hot,cold,denied,noexec' : 'hot,cold,denied';
log(`storm: ${cfg.n} spawns per phase (${phases}) after ${cfg.warmup} warm-up`);
const storm = spawnSync(
  cfg.storm,
  ['run', '--dir', mnt, '--n', String(cfg.n), '--warmup', String(cfg.warmup), '--phases', phases],
  {
    encoding: 'utf8',
    timeout: cfg.stormTimeoutMs,
  },
);
if (child && !exited) {
  out.listener.rssKbAfter = statusKb(child.pid, 'VmRSS');
  out.listener.hwmKb = statusKb(child.pid, 'VmHWM');
}
const zombie = () => {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  } catch {
    return true;
  }
};
const listenerDiedDuringStorm = Boolean(child && (exited || zombie()));
await stop();
if (storm.status !== 0) finish({ error: `spawn-storm failed (${storm.status ?? storm.signal}): ${tail(storm.stderr ?? '')}` });
out.storm = JSON.parse(storm.stdout.trim().split('\n').at(-1));
if (listenerDiedDuringStorm) out.warning = `the listener died during the storm (${JSON.stringify(exited)}): ${tail(childErr())}`;
if (k === 'raw' || k === 'raw-libc') out.listener.stats = tail(childErr());
if (k.startsWith('fapolicyd')) {
  out.listener.log = tail(childErr());
  const m = childErr().match(/Allowed accesses: (\d+)[\s\S]*Denied accesses: (\d+)/);
  if (m) out.listener.stats = `allowed=${m[1]} denied=${m[2]}`;
}
if (k.startsWith('eg-')) {
  const last = childOut()
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  try {
    out.listener.stats = last ? JSON.parse(last) : tail(childErr());
  } catch {
    out.listener.stats = tail(last);
  }
  const spooled = existsSync(`${cfg.work}/events`) ? readdirSync(`${cfg.work}/events`).length : 0;
  out.listener.spoolFiles = spooled;
}
finish({});
