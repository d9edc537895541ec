import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { scanToMemory } from './test-support.js';

const SAMPLE = 50;
const hasDpkg = existsSync('/var/lib/dpkg/info') && spawnSync('dpkg', ['--version']).status === 0;

/** Merged-/usr: dpkg records /bin/x while the file lives at /usr/bin/x (and the reverse). */
function alias(path: string): string | undefined {
  const m = /^\/usr\/(bin|sbin|lib|lib32|lib64|libx32)\//.exec(path);
  return m ? path.slice(4) : undefined;
}

/** Owners per path as `dpkg -S` reports them (exact path lines only; diversion lines skipped). */
function dpkgOwners(paths: string[]): Map<string, string[]> {
  const out = spawnSync('dpkg', ['-S', ...paths], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const owners = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    if (line.startsWith('diversion by')) continue;
    const i = line.lastIndexOf(': ');
    if (i < 0) continue;
    const path = line.slice(i + 2);
    if (paths.includes(path)) owners.set(path, line.slice(0, i).split(', ').sort());
  }
  return owners;
}

test(`random sample of ${SAMPLE} programs under /usr: sha256 = sha256sum, owner = dpkg -S`, {
  skip: !hasDpkg && 'no dpkg',
}, async () => {
  // Executables and libraries under /usr (the files scan records), sampled at random.
  const found = spawnSync('find', ['/usr', '-xdev', '-type', 'f', '(', '-perm', '-u+x', '-o', '-name', '*.so*', ')'], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  })
    .stdout.split('\n')
    .filter(Boolean);
  const sample = new Set<string>();
  while (sample.size < Math.min(SAMPLE * 2, found.length)) sample.add(found[Math.floor(Math.random() * found.length)]!);
  // full: every package file's MD5 is compared, so `verified` has md5 semantics for the check below.
  const { files } = await scanToMemory([...sample], { verifyPackages: 'full' });
  const recorded = [...files.values()].slice(0, SAMPLE);
  assert.ok(recorded.length >= SAMPLE, `only ${recorded.length} of the sample are programs`);

  const sums = new Map<string, string>();
  const out = spawnSync(
    'sha256sum',
    recorded.map((r) => r.path),
    { encoding: 'utf8', maxBuffer: 16 << 20 },
  ).stdout;
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  const lookups = recorded.flatMap((r) => [r.path, alias(r.path)].filter((p): p is string => p !== undefined));
  const owners = dpkgOwners(lookups);
  // Files changed since installation exist on real hosts (dpkg -V shows them): check our verdict against md5sum.
  const md5s = new Map<string, string>();
  const withMd5 = recorded.filter((r) => r.package?.recordedMd5).map((r) => r.path);
  for (const line of spawnSync('md5sum', withMd5, { encoding: 'utf8' }).stdout.split('\n')) {
    const m = /^([0-9a-f]{32}) {2}(.+)$/.exec(line);
    if (m) md5s.set(m[2]!, m[1]!);
  }
  let owned = 0;
  for (const r of recorded) {
    assert.equal(r.sha256, sums.get(r.path), `${r.path}: sha256`);
    const expected = owners.get(r.path) ?? owners.get(alias(r.path) ?? '') ?? [];
    assert.deepEqual(r.package?.names ?? [], expected, `${r.path}: package owner`);
    if (r.package) {
      owned++;
      if (r.package.recordedMd5) {
        assert.equal(
          r.package.verified,
          md5s.get(r.path) === r.package.recordedMd5,
          `${r.path}: verified = (md5sum = dpkg's md5)`,
        );
        assert.equal(r.package.verifiedBy, 'md5', `${r.path}: full verifies by md5`);
      }
    }
  }
  assert.ok(owned > SAMPLE / 2, `most of /usr is package-owned (${owned}/${SAMPLE})`);
});
