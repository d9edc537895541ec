#!/usr/bin/env node
// bench:scan — hashing throughput of `execguard scan` against `sha256sum` over the same files, in
// one run, with a warm page cache; then a re-scan of the unchanged tree against the first scan.
// `fapolicyd-cli --file add` is measured only when it is installed and can be run against a
// throw-away trust file inside a private mount namespace (it never touches the host's /etc).
// Prints a table, then one line of JSON with the figures (the last line of every benchmark).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages', 'cli', 'dist', 'main.js');
const targets = (process.env.BENCH_SCAN_PATHS ?? '/usr/bin,/usr/sbin,/usr/lib/x86_64-linux-gnu').split(',').filter(existsSync);
const tmp = mkdtempSync(join(tmpdir(), 'execguard-bench-scan-'));
const inventory = join(tmp, 'inventory.jsonl');
const listFile = join(tmp, 'files.txt');

function timed(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}… exited ${r.status}: ${r.stderr?.slice(0, 500)}`);
  return { ms, out: r.stdout };
}
const scanSummary = (out) => JSON.parse(out.trim().split('\n').at(-1));

// 1. Warm the page cache (and learn the file list) with one untimed scan.
timed(process.execPath, [cli, 'scan', ...targets, '--out', inventory, '--json']);
const files = readFileSync(inventory, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{"kind":"file"'))
  .map((l) => JSON.parse(l));
writeFileSync(listFile, `${files.map((f) => f.path).join('\0')}\0`);
const bytes = files.reduce((n, f) => n + f.size, 0);
timed('sh', ['-c', `xargs -0 cat < '${listFile}' > /dev/null`]);

// 2. First scan (fresh: no previous inventory, hence no cached dpkg facts) — everything read and hashed.
//    Package files are verified the default way (--verify-packages changed: MD5 only for files changed
//    since their package was installed).
rmSync(inventory);
const first = timed(process.execPath, [cli, 'scan', ...targets, '--out', inventory, '--json']);
const firstSummary = scanSummary(first.out);

// 3. sha256sum over exactly the recorded files, one process at a time (xargs -P1), as a user would:
//    the peer the issue names. Also with two processes (xargs -P2), so both sides use both cores.
const sha = timed('sh', ['-c', `xargs -0 -P1 sha256sum < '${listFile}' > /dev/null`]);
const sha2 = timed('sh', ['-c', `xargs -0 -P2 -n 64 sha256sum < '${listFile}' > /dev/null`]);

// 3b. What an `execguard scan` run costs before it scans: starting Node and loading the scan command (best of three).
const startup = Math.min(...[0, 1, 2].map(() => timed(process.execPath, [cli, 'scan', '--help']).ms));

// 4. Re-scan of the unchanged tree: --out exists, so it is the previous inventory.
const rescan = timed(process.execPath, [cli, 'scan', ...targets, '--out', inventory, '--json']);
const rescanSummary = scanSummary(rescan.out);

// 4b. The first scan again with every package file MD5-verified (--verify-packages full), for comparison.
rmSync(inventory);
const full = timed(process.execPath, [cli, 'scan', ...targets, '--out', inventory, '--json', '--verify-packages', 'full']);
const fullSummary = scanSummary(full.out);

// 5. fapolicyd-cli --file add, only isolated: a private mount namespace with a tmpfs over
//    /etc/fapolicyd and /var/lib/fapolicyd, so the host's trust database is never written.
//    fapolicyd-cli --file add takes one path per call, so xargs -n1. Never next to a running daemon.
let fapolicyd = { skipped: 'fapolicyd-cli not installed' };
if (spawnSync('sh', ['-c', 'command -v fapolicyd-cli']).status === 0) {
  if (spawnSync('pgrep', ['-x', 'fapolicyd']).status === 0)
    fapolicyd = { skipped: 'a fapolicyd daemon is running on this host; not measured next to it' };
  else if (spawnSync('unshare', ['-m', 'true']).status !== 0) fapolicyd = { skipped: 'cannot create a private mount namespace' };
  else {
    const script = [
      'mount --make-rprivate /',
      'mount -t tmpfs tmpfs /etc/fapolicyd',
      'mount -t tmpfs tmpfs /var/lib/fapolicyd',
      'mkdir -p /etc/fapolicyd/trust.d && touch /etc/fapolicyd/fapolicyd.trust',
      `xargs -0 -n 1 fapolicyd-cli --file add < '${listFile}' > /dev/null`,
      "grep -c '^/' /etc/fapolicyd/fapolicyd.trust",
    ].join(' && ');
    try {
      const r = timed('unshare', ['-m', 'sh', '-c', script]);
      const added = Number(r.out.trim());
      fapolicyd =
        added === files.length
          ? { ms: r.ms, mbPerSec: bytes / 1e6 / (r.ms / 1000) }
          : { skipped: `trust file holds ${added} entries, expected ${files.length}` };
    } catch (e) {
      fapolicyd = { skipped: `failed: ${e.message.split('\n')[0]}` };
    }
  }
}
rmSync(tmp, { recursive: true, force: true });

const rate = (ms) => ({ mbPerSec: bytes / 1e6 / (ms / 1000), filesPerSec: files.length / (ms / 1000) });
const rows = [
  ['execguard scan (first)', first.ms, rate(first.ms)],
  ['sha256sum (xargs -P1)', sha.ms, rate(sha.ms)],
  ['sha256sum (xargs -P2)', sha2.ms, rate(sha2.ms)],
  ['execguard scan --verify-pkgs full', full.ms, rate(full.ms)],
  ...(fapolicyd.ms ? [['fapolicyd-cli --file add', fapolicyd.ms, rate(fapolicyd.ms)]] : []),
  ['execguard re-scan (unchanged)', rescan.ms, rate(rescan.ms)],
];
console.log(
  `files: ${files.length} (${(bytes / 1e6).toFixed(0)} MB) under ${targets.join(', ')}; ${availableParallelism()} cores; warm page cache`,
);
console.log(`${'tool'.padEnd(32)}${'seconds'.padStart(10)}${'MB/s'.padStart(10)}${'files/s'.padStart(10)}`);
for (const [name, ms, r] of rows) {
  console.log(
    `${name.padEnd(32)}${(ms / 1000).toFixed(2).padStart(10)}${r.mbPerSec.toFixed(0).padStart(10)}${r.filesPerSec.toFixed(0).padStart(10)}`,
  );
}
if (!fapolicyd.ms) console.log(`fapolicyd-cli --file add: skipped (${fapolicyd.skipped})`);
const figures = {
  files: files.length,
  bytes,
  cores: availableParallelism(),
  execguardFirstMs: Math.round(first.ms),
  execguardHashed: firstSummary.hashed,
  execguardVerifiedByCtime: firstSummary.verifiedByCtime,
  execguardVerifiedByMd5: firstSummary.verifiedByMd5,
  sha256sumMs: Math.round(sha.ms),
  sha256sumP2Ms: Math.round(sha2.ms),
  execguardFullVerifyMs: Math.round(full.ms),
  execguardFullVerifyByMd5: fullSummary.verifiedByMd5,
  rescanMs: Math.round(rescan.ms),
  // Inside the scan (the summary's durationMs: roots resolved to summary written), and process start-up.
  execguardFirstInScanMs: firstSummary.durationMs,
  rescanInScanMs: rescanSummary.durationMs,
  startupMs: Math.round(startup),
  rescanHashed: rescanSummary.hashed,
  speedupVsSha256sum: +(sha.ms / first.ms).toFixed(2),
  speedupVsSha256sumP2: +(sha2.ms / first.ms).toFixed(2),
  rescanSpeedup: +(first.ms / rescan.ms).toFixed(2),
  fapolicyd: fapolicyd.ms
    ? { ms: Math.round(fapolicyd.ms), speedupVsFapolicyd: +(fapolicyd.ms / first.ms).toFixed(2) }
    : fapolicyd,
};
console.log(
  `speedup vs sha256sum: ${figures.speedupVsSha256sum}x; re-scan: ${figures.rescanSpeedup}x faster than the first scan`,
);
console.log(
  `inside the scan (summary durationMs): first ${firstSummary.durationMs} ms, re-scan ${rescanSummary.durationMs} ms; starting node and the scan command (execguard scan --help): ${Math.round(startup)} ms`,
);
console.log(JSON.stringify(figures));
