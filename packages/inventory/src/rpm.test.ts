import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRpm, parseRpmQuery, RpmQueryError } from './rpm.js';
import { rng, scanToMemory } from './test-support.js';

const hasRpm = spawnSync('rpmbuild', ['--version']).status === 0 && spawnSync('rpm', ['--version']).status === 0;
const skip = !hasRpm && 'rpm and rpmbuild not installed (apt-get install rpm)';

const SPEC = `Name: eg-demo
Version: 1.0
Release: 1
Summary: ExecGuard inventory test package
License: MIT
BuildArch: noarch
%global __os_install_post %{nil}
%description
Two scripts under /opt/egdemo/bin.
%install
mkdir -p %{buildroot}/opt/egdemo/bin
printf '#!/bin/sh\\necho tool\\n' > %{buildroot}/opt/egdemo/bin/tool
printf '#!/bin/sh\\necho other\\n' > %{buildroot}/opt/egdemo/bin/other
chmod 755 %{buildroot}/opt/egdemo/bin/tool %{buildroot}/opt/egdemo/bin/other
%files
/opt/egdemo/bin/tool
/opt/egdemo/bin/other
`;

/** Builds the package and installs it under a root of its own, with its own database: [root, dbpath]. */
function installDemo(dir: string): [string, string] {
  const top = join(dir, 'rpmbuild');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  writeFileSync(join(top, 'SPECS', 'demo.spec'), SPEC);
  const built = spawnSync('rpmbuild', ['--define', `_topdir ${top}`, '-bb', join(top, 'SPECS', 'demo.spec')], {
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, built.stderr);
  const root = join(dir, 'root');
  mkdirSync(root);
  const pkg = join(top, 'RPMS', 'noarch', 'eg-demo-1.0-1.noarch.rpm');
  const installed = spawnSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-i', '--nodeps', '--noscripts', pkg], {
    encoding: 'utf8',
  });
  assert.equal(installed.status, 0, installed.stderr);
  return [root, join(root, 'var', 'lib', 'rpm')];
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('rpm: scan names the owning package and verifies each file against rpm’s SHA-256', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-rpm-test-'));
  try {
    const [root, dbpath] = installDemo(dir);
    const bin = join(root, 'opt', 'egdemo', 'bin');
    const recorded = sha256(join(bin, 'other'));
    appendFileSync(join(bin, 'other'), 'echo changed after installation\n');
    const rpm = loadRpm({ dbpath, fsRoot: root, scope: [bin] });
    const { files, summary } = await scanToMemory([bin], { rpm });
    const tool = files.get(join(bin, 'tool'));
    assert.deepEqual(
      { ...tool?.package, installed: undefined },
      {
        manager: 'rpm',
        names: ['eg-demo'],
        recordedPath: '/opt/egdemo/bin/tool',
        recordedSha256: tool?.sha256,
        installed: undefined,
        verified: true,
        verifiedBy: 'sha256',
      },
    );
    assert.match(tool?.package?.installed ?? '', /^\d{4}-\d\d-\d\dT/);
    const other = files.get(join(bin, 'other'));
    assert.equal(other?.package?.recordedSha256, recorded);
    assert.equal(other?.package?.verified, false, 'a file changed after installation no longer matches');
    assert.equal(summary.verifiedBySha256, 2);
    assert.equal(summary.packageMismatch, 1);
    // Verification by rpm's digest needs no MD5 of any file, whatever the mode.
    const full = await scanToMemory([bin], { rpm, verifyPackages: 'full' });
    assert.equal(full.files.get(join(bin, 'tool'))?.md5, undefined);
    const off = await scanToMemory([bin], { rpm, verifyPackages: 'off' });
    assert.equal(off.files.get(join(bin, 'tool'))?.package?.verified, undefined);
    // Out of scope: not kept.
    assert.equal(loadRpm({ dbpath, fsRoot: root, scope: [join(root, 'usr')] }).lookup(join(bin, 'tool')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rpm: a database rpm cannot read is an RpmQueryError naming it, not an empty answer', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-rpm-bad-'));
  try {
    writeFileSync(join(dir, 'rpmdb.sqlite'), 'not a database');
    assert.throws(
      () => loadRpm({ dbpath: dir }),
      (e: unknown) => e instanceof RpmQueryError && e.message.includes(dir),
    );
    assert.equal(loadRpm({ dbpath: join(dir, 'absent') }).available, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rpm query output: owners, digests by algorithm, shared paths, and garbage skipped, never thrown', () => {
  const sha = 'a'.repeat(64);
  const text = [
    '@glibc\t1700000000\t8',
    `/usr/lib64/libc.so.6\t${sha}`,
    '/usr/share/doc/glibc\t', // a directory: no digest
    '@glibc32\t1700000001\t8',
    `/usr/lib64/libc.so.6\t${'b'.repeat(64)}`,
    '@oldpkg\t1200000000\t(none)',
    `/opt/old/bin/tool\t${'c'.repeat(32)}`,
    '@weird\tnot-a-time\t10',
    `/opt/weird/x\t${'d'.repeat(128)}`,
    'no tab here',
    'relative/path\tabc',
  ].join('\n');
  const owners = parseRpmQuery(text);
  assert.deepEqual(owners.get('/usr/lib64/libc.so.6'), {
    manager: 'rpm',
    names: ['glibc', 'glibc32'],
    recordedPath: '/usr/lib64/libc.so.6',
    sha256: 'b'.repeat(64),
    installedMs: 1700000001000,
  });
  assert.equal(owners.get('/usr/share/doc/glibc')?.sha256, undefined);
  assert.equal(owners.get('/opt/old/bin/tool')?.md5, 'c'.repeat(32), 'no digest algorithm recorded: MD5');
  assert.deepEqual(
    owners.get('/opt/weird/x'),
    { manager: 'rpm', names: ['weird'], recordedPath: '/opt/weird/x' },
    'SHA-512: ownership only',
  );
  assert.equal(owners.size, 4);
  assert.deepEqual([...parseRpmQuery(text, ['/opt']).keys()].sort(), ['/opt/old/bin/tool', '/opt/weird/x']);
  const random = rng(21);
  const alphabet = '@/\t\n0123456789abcdef(none)x ';
  for (let i = 0; i < 2000; i++) {
    let junk = '';
    for (let n = Math.floor(random() * 300); n > 0; n--) junk += alphabet[Math.floor(random() * alphabet.length)];
    assert.doesNotThrow(() => parseRpmQuery(junk, i % 2 ? ['/opt'] : undefined), `round ${i}`);
  }
});
