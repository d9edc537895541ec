#!/usr/bin/env node
// bench:exec — per-exec overhead of a posix_spawn storm under each enforcer, side by side in one run
// (issue 4, item 8). Rows (ids for --only in brackets):
//   none [none]                 no listener; its `noexec` phase is the kernel's own EACCES
//   none, libc copy [none-libc] no listener, but the private libc copy bind-mounted (baseline of ²)
//   raw listener [raw]          bench/exec/raw-listener.c: FAN_OPEN_EXEC_PERM on the scratch mount,
//                               allows everything but the denied file — the physical floor
//   raw listener + libc² [raw-libc]  plus FAN_OPEN_PERM on the libc copy (the post-exec check's cost)
//   fapolicyd [fapolicyd]       Debian's fapolicyd, integrity=sha256, trust = the allowed files, deny
//                               the rest, watching only the scratch mount
//   fapolicyd + libc² [fapolicyd-libc]  opt-in: also watching the libc bind mount (see README)
//   ExecGuard audit² [eg-audit]     `execguard agent run --mode audit`    skipped, with the reason,
//   ExecGuard enforce² [eg-enforce] `execguard agent run --mode enforce`  when the agent is missing or
//                                                                          does not start
// Phases per row (bench/exec/spawn-storm.c): hot (one file, N times), cold (N distinct files with
// distinct hashes), denied (a file the policy denies: time to EACCES). Per-exec wall time p50/p99,
// overhead over the baseline, the Must-show ratio ExecGuard-enforce hot overhead / fapolicyd hot
// overhead (≤ 0.25), and each listener's RSS and idle CPU (2-second idle window).
//
// SAFETY: every scenario runs as PID 1 of its own PID + mount namespace (unshare --mount
// --propagation private --pid --fork --kill-child, see bench/exec/scenario.mjs). Marks go on a
// scratch mount created inside that namespace and on a bind-mounted private copy of libc; when the
// scenario ends the kernel kills everything in it. Nothing outside the bench can be blocked.
//
// fapolicyd: installed on demand with `apt-get install -y fapolicyd` (Debian package) when missing;
// after the install the harness makes sure no fapolicyd runs on the host and the systemd unit is
// disabled (Debian enables it). It runs as root in the namespace (uid = 0 in its conf: switching to
// the fapolicyd user fails on these machines). --no-install skips the row instead.
//
// Usage: npm run bench:exec [-- --n 5000 --warmup 500 --rounds 1 --fs ramfs --only none,raw,… --json]
//   The scratch file system is ramfs by default so that fapolicyd's watch_fs matches exactly one mount
//   (the scratch one); with --fs tmpfs the fapolicyd row is skipped (it would watch other tmpfs mounts).
// Output: a table on stdout, then one line of JSON (only the JSON with --json). Progress on stderr (TTY).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'bench', 'exec');
const build = join(here, 'build');
const cli = join(root, 'packages', 'cli', 'dist', 'main.js');

// ---- options
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const json = argv.includes('--json');
const N = Number(opt('--n', process.env.BENCH_EXEC_N ?? '5000'));
const WARMUP = Number(opt('--warmup', '500'));
const ROUNDS = Number(opt('--rounds', '1'));
const FS = opt('--fs', 'ramfs');
const fail = (msg) => {
  process.stderr.write(`bench:exec: ${msg}\n`);
  process.exit(1);
};
const ALL = ['none', 'none-libc', 'raw', 'raw-libc', 'fapolicyd', 'fapolicyd-libc', 'eg-audit', 'eg-enforce'];
const DEFAULT = ALL.filter((k) => k !== 'fapolicyd-libc'); // opt-in: see bench/exec/README.md
const ONLY = opt('--only', DEFAULT.join(',')).split(',');
for (const k of ONLY) if (!ALL.includes(k)) fail(`--only: unknown row ${k} (rows: ${ALL.join(', ')})`);
if (!ONLY.includes('none')) ONLY.unshift('none'); // overheads need the baseline
const progress = (msg) => process.stderr.isTTY && process.stderr.write(`[bench:exec] ${msg}\n`);

if (process.getuid?.() !== 0) fail('needs root (fanotify permission events, mount namespaces)');
if (spawnSync('unshare', ['--mount', '--propagation', 'private', '--pid', '--fork', 'true']).status !== 0)
  fail('cannot create a private mount + PID namespace (unshare)');

// ---- build the C programs
mkdirSync(build, { recursive: true });
for (const name of ['spawn-storm', 'raw-listener']) {
  const src = join(here, `${name}.c`);
  const bin = join(build, name);
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    progress(`cc ${name}.c`);
    const r = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-o', bin, src], { encoding: 'utf8' });
    if (r.status !== 0) fail(`cc ${name}.c failed:\n${r.stderr}`);
  }
}
const storm = join(build, 'spawn-storm');
const rawListener = join(build, 'raw-listener');

// ---- files and their hashes (must match spawn-storm prepare: see the header of spawn-storm.c)
const src = realpathSync('/bin/true');
const img = readFileSync(src);
const sha = (...bufs) => {
  const h = createHash('sha256');
  for (const b of bufs) h.update(b);
  return h.digest('hex');
};
const le64 = (v) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const hotHash = sha(img);
const deniedHash = sha(img, Buffer.from('EG-DENY!'));
const coldHashes = Array.from({ length: N }, (_, i) => sha(img, le64(i + 1)));

const tmp = mkdtempSync(join(tmpdir(), 'execguard-bench-exec-'));
const mnt = join(tmp, 'scratch');
const work = join(tmp, 'work');
mkdirSync(mnt);
mkdirSync(work);
const outerNs = readlinkSync('/proc/self/ns/mnt');
const libcPath = (() => {
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const p = line.slice(line.indexOf('/'));
    if (line.includes('/') && /\/libc\.so\.6$/.test(p)) return p;
  }
  return '/usr/lib/x86_64-linux-gnu/libc.so.6';
})();
const libcStat = statSync(libcPath);
const libc = { path: libcPath, dev: libcStat.dev, ino: libcStat.ino };

// ---- ExecGuard: policy and availability
const fileHash = (p) => sha(readFileSync(p));
const toolPaths = [
  storm,
  src,
  '/usr/bin/dash',
  '/usr/bin/bash',
  '/usr/bin/cat',
  '/usr/bin/sleep',
  '/usr/bin/mount',
  '/usr/bin/umount',
  '/usr/bin/getconf',
  process.execPath,
]
  .filter(existsSync)
  .map((p) => realpathSync(p));
const policyFile = join(tmp, 'policy.yaml');
writeFileSync(
  policyFile,
  [
    "# bench:exec — allow the storm's hot and cold files and the tools the bench runs, by sha256;",
    '# deny the denied file (default deny would too).',
    'apiVersion: execguard.io/v1',
    'kind: Policy',
    'metadata:',
    '  name: bench-exec',
    '  version: 1',
    '  owner: bench@execguard.invalid',
    'defaults:',
    '  mode: enforce',
    '  failMode: open',
    'rules:',
    '  - id: deny-bench-denied',
    '    action: deny',
    '    match:',
    `      program: { sha256: ["${deniedHash}"] }`,
    '  - id: allow-bench-tools',
    '    action: allow',
    '    description: the storm driver, /bin/true and the few tools the scenario runs while the agent is up',
    '    match:',
    '      program:',
    '        sha256:',
    ...[...new Set(toolPaths.map(fileHash))].map((h) => `          - "${h}"`),
    '  - id: allow-bench-files',
    '    action: allow',
    '    description: the hot file and every cold copy',
    '    match:',
    '      program:',
    '        sha256:',
    `          - "${hotHash}"`,
    ...coldHashes.map((h) => `          - "${h}"`),
    '',
  ].join('\n'),
);
let agentSkip = null;
if (!existsSync(cli)) agentSkip = `not available: ${cli.replace(`${root}/`, '')} is not built`;
else {
  const help = spawnSync(process.execPath, [cli, 'agent', 'run', '--help'], { encoding: 'utf8' });
  if (help.status !== 0)
    agentSkip = `not available: \`execguard agent run\` does not exist (${(help.stderr || help.stdout).trim().split('\n')[0]})`;
  else {
    const v = spawnSync(process.execPath, [cli, 'policy', 'validate', policyFile], { encoding: 'utf8' });
    if (v.status !== 0)
      agentSkip = `not available: the bench policy does not validate: ${(v.stdout + v.stderr).trim().split('\n').slice(0, 3).join(' | ')}`;
  }
}

// ---- fapolicyd: install on demand, never running on the host
let fapSkip = null;
const fapBin = '/usr/sbin/fapolicyd';
const hostFapolicyd = () =>
  spawnSync('pgrep', ['-x', 'fapolicyd'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .filter(Boolean)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/mnt`) === outerNs; // ours run in other namespaces
      } catch {
        return false;
      }
    });
if (ONLY.some((k) => k.startsWith('fapolicyd'))) {
  if (FS !== 'ramfs') fapSkip = `not available: --fs ${FS}: fapolicyd's watch_fs would match more than the scratch mount`;
  else if (!existsSync(fapBin)) {
    if (argv.includes('--no-install')) fapSkip = 'not available: fapolicyd is not installed (apt-get install fapolicyd)';
    else {
      process.stderr.write(
        '[bench:exec] fapolicyd is not installed: apt-get install -y fapolicyd (the Debian package, for the peer row)\n',
      );
      // Keep dpkg from starting the daemon on the host: policy-rc.d 101 if none is there.
      const prc = '/usr/sbin/policy-rc.d';
      const ownPrc = !existsSync(prc);
      if (ownPrc)
        writeFileSync(prc, '#!/bin/sh\n# bench:exec: no service starts during this install\nexit 101\n', { mode: 0o755 });
      try {
        const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
        spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
        const r = spawnSync('apt-get', ['install', '-y', 'fapolicyd'], { stdio: ['ignore', 'ignore', 'inherit'], env });
        if (r.status !== 0) fapSkip = 'not available: apt-get install fapolicyd failed';
      } finally {
        if (ownPrc) rmSync(prc, { force: true });
      }
      // Debian enables the unit; with its stock rules it would deny executions host-wide at next boot.
      spawnSync(
        'sh',
        [
          '-c',
          'command -v deb-systemd-helper >/dev/null && deb-systemd-helper disable fapolicyd.service; [ -d /run/systemd/system ] && systemctl disable --now fapolicyd; true',
        ],
        { stdio: 'ignore' },
      );
    }
  }
  for (const pid of hostFapolicyd()) {
    process.stderr.write(
      `[bench:exec] a fapolicyd (pid ${pid}) runs on the host: stopping it (it must only run inside the bench namespace)\n`,
    );
    process.kill(Number(pid), 'SIGTERM');
  }
  if (!fapSkip && !existsSync(fapBin)) fapSkip = 'not available: fapolicyd is not installed';
}
const fapolicyd = {
  bin: fapBin,
  watchFs: ['ramfs'],
  conf: [
    '# bench:exec — fapolicyd inside a private mount namespace, watching only the scratch ramfs',
    'permissive = 0',
    'nice_val = 14',
    'q_size = 640',
    'uid = 0',
    'gid = 0',
    'do_stat_report = 1',
    'detailed_report = 0',
    'db_max_size = 100',
    'subj_cache_size = 1549',
    'obj_cache_size = 8191',
    'watch_fs = ramfs',
    'trust = file',
    'integrity = sha256',
    'syslog_format = rule,dec,perm,auid,pid,exe,:,path,ftype,trust',
    'rpm_sha256_only = 0',
    'allow_filesystem_mark = 0',
    '',
  ].join('\n'),
  // Minimal, comparable to the ExecGuard policy: run only trusted (hash-verified) files; opens pass.
  rules: ['allow perm=execute all : trust=1', 'deny perm=execute all : all', 'allow perm=any all : all', ''].join('\n'),
  trust: [
    `${mnt}/hot ${img.length} ${hotHash}`,
    ...coldHashes.map((h, i) => `${mnt}/cold/${String(i).padStart(6, '0')} ${img.length + 8} ${h}`),
    '',
  ].join('\n'),
};

// ---- run the scenarios
const labels = {
  none: 'none',
  'none-libc': 'none, libc copy',
  raw: 'raw listener',
  'raw-libc': 'raw listener + libc',
  fapolicyd: 'fapolicyd 1.1.7',
  'fapolicyd-libc': 'fapolicyd + libc',
  'eg-audit': 'ExecGuard audit',
  'eg-enforce': 'ExecGuard enforce',
};
function runScenario(kind) {
  if (kind.startsWith('fapolicyd') && fapSkip) return { kind, skipped: fapSkip };
  if (kind.startsWith('eg-') && agentSkip) return { kind, skipped: agentSkip };
  const cfg = {
    kind,
    mnt,
    work,
    fs: FS,
    src,
    n: N,
    warmup: WARMUP,
    storm,
    rawListener,
    outerNs,
    stormTimeoutMs: 20 * 60 * 1000,
    libc: ['none-libc', 'raw-libc', 'fapolicyd-libc', 'eg-audit', 'eg-enforce'].includes(kind) ? libc : null,
    fapolicyd: kind.startsWith('fapolicyd') ? fapolicyd : undefined,
    agent: { cmd: process.execPath, args: [cli, 'agent', 'run'], policy: policyFile, startMs: 60000 },
  };
  const cfgFile = join(tmp, `${kind}.json`);
  writeFileSync(cfgFile, JSON.stringify(cfg));
  progress(`${labels[kind]}: running`);
  const r = spawnSync(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--pid',
      '--fork',
      '--mount-proc',
      '--kill-child',
      process.execPath,
      join(here, 'scenario.mjs'),
      cfgFile,
    ],
    {
      encoding: 'utf8',
      timeout: 30 * 60 * 1000,
      maxBuffer: 1 << 26,
      stdio: ['ignore', 'pipe', process.stderr.isTTY ? 'inherit' : 'pipe'],
    },
  );
  const last = (r.stdout ?? '').trim().split('\n').at(-1);
  try {
    return JSON.parse(last);
  } catch {
    return {
      kind,
      error: `scenario exited ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`,
    };
  }
}

const rounds = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order between rounds so that drift on the shared machine does not favour one row.
    const order = ALL.filter((k) => ONLY.includes(k));
    const rot = order.slice(round % order.length).concat(order.slice(0, round % order.length));
    const res = {};
    for (const kind of rot) res[kind] = runScenario(kind);
    rounds.push(res);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  const stray = hostFapolicyd();
  if (stray.length) process.stderr.write(`[bench:exec] WARNING: fapolicyd still runs on the host: ${stray.join(' ')}\n`);
}

// ---- aggregate: medians over rounds of each phase's p50 and p99
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = {};
for (const kind of ALL.filter((k) => ONLY.includes(k))) {
  const results = rounds.map((r) => r[kind]);
  const ok = results.filter((x) => x.storm);
  if (!ok.length) {
    rows[kind] = { skipped: results[0].skipped ?? results[0].error };
    continue;
  }
  const phase = (ph) => {
    const per = ok.map((x) => x.storm.phases[ph]).filter(Boolean);
    if (!per.length) return null;
    return {
      p50: median(per.map((p) => p.p50)),
      p99: median(per.map((p) => p.p99)),
      denied: per.reduce((a, p) => a + p.denied, 0),
      failed: per.reduce((a, p) => a + p.failed + p.nonzero, 0),
      n: per.reduce((a, p) => a + p.n, 0),
      perRound: per.map((p) => ({ p50: p.p50, p99: p.p99 })),
    };
  };
  const L = ok.map((x) => x.listener).filter(Boolean);
  rows[kind] = {
    hot: phase('hot'),
    cold: phase('cold'),
    denied: phase('denied'),
    ...(kind.startsWith('none') ? { noexec: phase('noexec') } : {}),
    listener: L.length
      ? {
          rssKbIdle: median(L.map((l) => l.rssKbIdle)),
          rssKbAfter: median(L.map((l) => l.rssKbAfter)),
          hwmKb: median(L.map((l) => l.hwmKb)),
          idleCpuPct: median(L.map((l) => l.idleCpuPct)),
          stats: L.at(-1).stats,
        }
      : undefined,
    warnings: ok.map((x) => x.warning).filter(Boolean),
    skippedRounds: results.length - ok.length,
  };
}
const base = rows.none;
// Rows that run with the bind-mounted private libc copy are compared with `none, libc copy` (the
// copy lives on tmpfs, which by itself changes exec time; in production the real libc is marked).
const LIBC_ROWS = ['raw-libc', 'fapolicyd-libc', 'eg-audit', 'eg-enforce'];
const baselineOf = (kind) => (LIBC_ROWS.includes(kind) && rows['none-libc']?.hot ? 'none-libc' : 'none');
for (const [kind, r] of Object.entries(rows)) if (r.hot && kind !== 'none') r.baseline = baselineOf(kind);
// Overhead over the baseline. For a denied exec that was actually denied, the baseline is the
// kernel's own EACCES (noexec); when the row let it run (audit mode), it is the baseline running it.
const overhead = (kind, ph, q) => {
  const r = rows[kind];
  const base = rows[baselineOf(kind)];
  if (!r?.[ph] || !base?.[ph]) return null;
  const b = ph === 'denied' && r.denied.denied === r.denied.n ? base.noexec : base[ph];
  return Math.round((r[ph][q] - b[q]) * 10) / 10;
};
const ratioOf = (peer) => {
  const eg = overhead('eg-enforce', 'hot', 'p50');
  const fap = overhead(peer, 'hot', 'p50');
  return eg !== null && fap !== null && fap > 0 ? Math.round((eg / fap) * 1000) / 1000 : null;
};
// The same ratio within each round (each round runs every row once, back to back).
const ratioPerRound = (peer) =>
  rounds
    .map((r) => {
      const h = (kind) => r[kind]?.storm?.phases.hot.p50;
      const eg = h('eg-enforce') - h(baselineOf('eg-enforce'));
      const fap = h(peer) - h(baselineOf(peer));
      return Number.isFinite(eg) && Number.isFinite(fap) && fap > 0 ? Math.round((eg / fap) * 1000) / 1000 : null;
    })
    .filter((x) => x !== null);
const ratio = ratioOf('fapolicyd');
const ratioLibc = ratioOf('fapolicyd-libc');
// Sanity: in enforce rows the denied file must be denied every time and nothing else may be.
const checks = {};
for (const [kind, r] of Object.entries(rows)) {
  if (!r.hot) continue;
  const mustDeny = ['raw', 'raw-libc', 'fapolicyd', 'fapolicyd-libc', 'eg-enforce'].includes(kind);
  const problems = [];
  if (r.hot.failed || r.hot.denied) problems.push(`hot: ${r.hot.denied} denied, ${r.hot.failed} failed`);
  if (r.cold.failed || r.cold.denied) problems.push(`cold: ${r.cold.denied} denied, ${r.cold.failed} failed`);
  if (mustDeny && r.denied.denied !== r.denied.n) problems.push(`denied: only ${r.denied.denied}/${r.denied.n} denied`);
  if (!mustDeny && r.denied.denied) problems.push(`denied: ${r.denied.denied} denied in a row that must let it run`);
  checks[kind] = problems.length ? problems : 'ok';
}

const figures = {
  n: N,
  warmup: WARMUP,
  rounds: ROUNDS,
  fs: FS,
  cores: availableParallelism(),
  unit: 'microseconds per exec (posix_spawn + waitpid)',
  rows,
  overhead: Object.fromEntries(
    Object.keys(rows)
      .filter((k) => k !== 'none' && rows[k].hot)
      .map((k) => [
        k,
        Object.fromEntries(
          ['hot', 'cold', 'denied'].map((ph) => [ph, { p50: overhead(k, ph, 'p50'), p99: overhead(k, ph, 'p99') }]),
        ),
      ]),
  ),
  mustShow: {
    execguardEnforceHotOverFapolicydHot: ratio,
    perRound: ratioPerRound('fapolicyd'),
    target: 0.25,
    pass: ratio === null ? null : ratio <= 0.25,
    againstFapolicydWithLibc: ratioLibc,
    againstFapolicydWithLibcPerRound: ratioPerRound('fapolicyd-libc'),
  },
  checks,
};

if (!json) {
  const f = (x) => (x === null || x === undefined ? '—' : x.toFixed(0));
  const sgn = (x) => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(0)}`);
  console.log(
    `posix_spawn storm: ${N} execs per phase after ${WARMUP} warm-up, ${ROUNDS} round(s), scratch ${FS} in a private mount namespace; ${availableParallelism()} cores; µs per exec (median of rounds)`,
  );
  console.log(
    `${'row'.padEnd(22)}${['hot p50', 'p99', 'cold p50', 'p99', 'deny p50', 'p99', '| ovh hot', 'p99', 'cold', 'p99', 'deny', 'p99', '| RSS MB', 'idle CPU'].map((h, i) => h.padStart(i === 6 || i === 12 ? 10 : 9)).join('')}`,
  );
  for (const [kind, r] of Object.entries(rows)) {
    if (!r.hot) {
      console.log(`${labels[kind].padEnd(22)}${r.skipped}`);
      continue;
    }
    const o = (ph, q) => (kind === 'none' ? null : overhead(kind, ph, q));
    const label = kind === 'none' || baselineOf(kind) === 'none' ? labels[kind] : `${labels[kind]} ²`;
    const L = r.listener;
    console.log(
      `${label.padEnd(22)}${[f(r.hot.p50), f(r.hot.p99), f(r.cold.p50), f(r.cold.p99), f(r.denied.p50), f(r.denied.p99)].map((s) => s.padStart(9)).join('')}` +
        `${sgn(o('hot', 'p50')).padStart(10)}${[sgn(o('hot', 'p99')), sgn(o('cold', 'p50')), sgn(o('cold', 'p99')), sgn(o('denied', 'p50')), sgn(o('denied', 'p99'))].map((s) => s.padStart(9)).join('')}` +
        `${(L ? (L.rssKbIdle / 1024).toFixed(1) : '—').padStart(10)}${(L ? `${L.idleCpuPct.toFixed(2)}%` : '—').padStart(9)}`,
    );
  }
  if (rows['none-libc']?.hot)
    console.log(
      '² overhead over `none, libc copy` (same bind-mounted libc copy, no listener); `none, libc copy` itself is over `none`',
    );
  if (base?.noexec)
    console.log(
      `plain EACCES (kernel, file without x bit): p50 ${f(base.noexec.p50)} p99 ${f(base.noexec.p99)}; a denied row's deny overhead is over this`,
    );
  console.log(
    `Must-show: ExecGuard enforce hot overhead / fapolicyd hot overhead = ${ratio === null ? `— (${rows['eg-enforce']?.skipped ?? rows.fapolicyd?.skipped ?? 'n/a'})` : `${ratio} (target ≤ 0.25: ${ratio <= 0.25 ? 'PASS' : 'FAIL'})`}`,
  );
  if (ratioLibc !== null) console.log(`  against fapolicyd also watching the libc copy: ${ratioLibc}`);
  if (ROUNDS > 1)
    console.log(
      `  per round: ${ratioPerRound('fapolicyd').join(', ')}${ratioLibc !== null ? ` (with libc: ${ratioPerRound('fapolicyd-libc').join(', ')})` : ''}`,
    );
  for (const [kind, c] of Object.entries(checks)) if (c !== 'ok') console.log(`CHECK ${labels[kind]}: ${c.join('; ')}`);
  for (const [kind, r] of Object.entries(rows)) for (const w of r.warnings ?? []) console.log(`WARNING ${labels[kind]}: ${w}`);
}
console.log(JSON.stringify(figures));
