import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAccounts } from './accounts.js';
import { loadDpkg } from './dpkg.js';
import { loadPrevious, PreviousFile } from './previous.js';
import { ScanRootError, scan } from './scan.js';
import { scanToMemory } from './test-support.js';
import type { SymlinkRecord } from './types.js';

const NOBODY = 65534;
const nobodyName = loadAccounts().userName(NOBODY);

/**
 * A scratch tree with one case per rule:
 *   bin/true        ELF copy of /bin/true            bin/run.sh   script with a shebang
 *   bin/tool.py     script by extension               bin/notes.txt  not recorded
 *   bin/passwd-link symlink out of scope (/etc/passwd)
 *   open/sub/tool   below a world-writable directory (0777, not sticky)
 *   sticky/admin    root-owned in a sticky 1777 dir   sticky/dropped  owned by nobody in the same dir
 *   owned/script.sh owned by nobody, mode 0755
 */
function scratchTree(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-scan-')));
  const mk = (p: string, mode = 0o755) => {
    mkdirSync(join(root, p), { recursive: true });
    chmodSync(join(root, p), mode);
  };
  mk('bin');
  copyFileSync('/bin/true', join(root, 'bin/true'));
  writeFileSync(join(root, 'bin/run.sh'), '#!/usr/bin/env bash\necho hello\n', { mode: 0o755 });
  writeFileSync(join(root, 'bin/tool.py'), 'print("no shebang")\n', { mode: 0o644 });
  writeFileSync(join(root, 'bin/notes.txt'), 'just text\n', { mode: 0o644 });
  symlinkSync('/etc/passwd', join(root, 'bin/passwd-link'));
  mk('open', 0o777);
  mk('open/sub');
  copyFileSync('/bin/true', join(root, 'open/sub/tool'));
  mk('sticky', 0o1777);
  copyFileSync('/bin/true', join(root, 'sticky/admin'));
  copyFileSync('/bin/true', join(root, 'sticky/dropped'));
  chownSync(join(root, 'sticky/dropped'), NOBODY, NOBODY);
  mk('owned');
  writeFileSync(join(root, 'owned/script.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  chownSync(join(root, 'owned/script.sh'), NOBODY, NOBODY);
  return root;
}

const isRoot = process.getuid?.() === 0;

test('scratch tree: types, symlinks, scripts, writability', {
  skip: !isRoot && 'needs root to chown files to nobody',
}, async () => {
  const root = scratchTree();
  const { records, files, summary } = await scanToMemory([root]);
  const at = (p: string) => files.get(join(root, p));

  assert.equal(at('bin/true')?.type, 'elf-executable');
  assert.deepEqual(at('bin/true')?.elf?.needed, ['libc.so.6']);
  assert.equal(at('bin/run.sh')?.script?.interpreter, 'bash', 'env bash runs bash');
  assert.equal(at('bin/tool.py')?.script?.by, 'extension');
  assert.equal(at('bin/notes.txt'), undefined, 'plain text is not recorded');
  assert.equal(summary.unrecorded.length, 1);

  const link = records.find((r): r is SymlinkRecord => r.kind === 'symlink');
  assert.equal(link?.target, '/etc/passwd');
  assert.equal(link?.inScope, false);
  assert.ok(![...files.keys()].some((p) => p.startsWith('/etc')), 'the symlink is not followed out of scope');

  const sha = spawnSync('sha256sum', [join(root, 'bin/true')], { encoding: 'utf8' }).stdout.split(' ')[0];
  assert.equal(at('bin/true')?.sha256, sha);
  assert.equal(at('bin/true')?.mode, '0755');
  assert.equal(at('sticky/admin')?.mode, '0755');

  // Root-owned file, root-owned ancestors: nobody but root can touch it.
  assert.deepEqual(at('bin/true')?.writableBy, { users: [], groups: [], other: false, evidence: [] });
  // Below a world-writable directory anyone can rename sub/ away and put their own tool there.
  const open = at('open/sub/tool')?.writableBy;
  assert.equal(open?.other, true);
  assert.ok(open?.evidence.some((e) => e.path === join(root, 'open') && e.principal === 'other'));
  // Sticky: the world-writable dir does not let others replace root's file …
  assert.deepEqual(at('sticky/admin')?.writableBy.other, false);
  assert.deepEqual(at('sticky/admin')?.writableBy.users, []);
  // … but the owner of an entry can replace their own.
  assert.deepEqual(at('sticky/dropped')?.writableBy.users, [nobodyName]);
  assert.equal(at('sticky/dropped')?.writableBy.other, false);
  // A file owned by a non-root user: that user is named.
  assert.deepEqual(at('owned/script.sh')?.writableBy.users, [nobodyName]);
  assert.equal(at('owned/script.sh')?.owner, nobodyName);
  assert.ok(at('bin/true')?.mount?.point, 'mount of the containing file system');
  assert.equal(summary.errors, 0);
});

test('re-scan of an unchanged tree hashes nothing; a changed file is hashed again', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-rescan-')));
  for (let i = 0; i < 20; i++) copyFileSync('/bin/true', join(root, `t${i}`));
  writeFileSync(join(root, 'data.bin'), Buffer.alloc(1000));
  const first = await scanToMemory([root]);
  assert.equal(first.summary.hashed, 20);
  const previous = { files: first.files, unrecorded: new Set(first.summary.unrecorded) };
  const second = await scanToMemory([root], { previous });
  assert.equal(second.summary.hashed, 0, 'nothing hashed');
  assert.equal(second.summary.reused, 20);
  assert.equal(second.summary.recorded, 20);
  assert.deepEqual(
    [...second.files.values()].map((f) => f.sha256),
    [...first.files.values()].map((f) => f.sha256),
  );
  writeFileSync(join(root, 't3'), '#!/bin/sh\n');
  utimesSync(join(root, 't3'), new Date(), new Date(Date.now() + 5000));
  const third = await scanToMemory([root], { previous });
  assert.equal(third.summary.hashed, 1);
  assert.equal(third.files.get(join(root, 't3'))?.type, 'script');
});

test('hard links are hashed once: the other links get the digests and are classified by their own name', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-links-')));
  // An ELF with 40 names, the first links met both before and after its result (two roots' worth of
  // batches), and a shebang-less text whose extension alone makes it a script.
  copyFileSync('/bin/true', join(root, 'a000'));
  for (let i = 1; i < 40; i++) linkSync(join(root, 'a000'), join(root, `a${String(i).padStart(3, '0')}`));
  writeFileSync(join(root, 'notes'), 'echo linked\n');
  linkSync(join(root, 'notes'), join(root, 'run.sh'));
  const want = createHash('sha256').update(readFileSync('/bin/true')).digest('hex');
  for (const workers of [1, 2]) {
    const r = await scanToMemory([root], { workers });
    assert.equal(r.summary.hashed + (r.summary.sharedByLink ?? 0), 41, `workers ${workers}: every recorded link has digests`);
    assert.equal(r.summary.hashed, 2, `workers ${workers}: one hash per inode (the ELF, and run.sh's text)`);
    assert.equal(r.summary.bytesHashed, readFileSync('/bin/true').length + 'echo linked\n'.length);
    for (let i = 0; i < 40; i++) {
      const f = r.files.get(join(root, `a${String(i).padStart(3, '0')}`));
      assert.equal(f?.sha256, want, `a${i}`);
      assert.equal(f?.type, 'elf-executable');
    }
    assert.equal(r.files.get(join(root, 'run.sh'))?.type, 'script', 'classified by its own name');
    assert.equal(r.files.has(join(root, 'notes')), false, 'the same text without the extension is not a script');
  }
});

test('re-scan from an inventory file passes unchanged lines on, with writability recomputed', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-relines-')));
  mkdirSync(join(root, 'sub'));
  for (let i = 0; i < 5; i++) copyFileSync('/bin/true', join(root, 'sub', `t${i}`));
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const toLines = async (previous?: Awaited<ReturnType<typeof loadPrevious>>) => {
    const lines: string[] = [];
    const summary = await scan({ roots: [root], writeLine: (l) => lines.push(l), ...(previous ? { previous } : {}) });
    return { lines, summary };
  };
  const first = await toLines();
  const file = join(root, '..', `${root.split('/').at(-1)}.jsonl`);
  writeFileSync(file, `${first.lines.join('\n')}\n`);
  const previous = await loadPrevious(file);
  assert.equal(previous.files.size, 6);
  assert.ok(
    [...previous.files.values()].every((f) => f instanceof PreviousFile),
    'our own lines are kept as text',
  );
  const second = await toLines(previous);
  assert.equal(second.summary.hashed, 0);
  assert.equal(second.summary.reused, 6);
  const fileLines = (ls: string[]) => ls.filter((l) => l.startsWith('{"kind":"file"'));
  assert.deepEqual(fileLines(second.lines), fileLines(first.lines), 'same records, byte for byte');
  for (const l of fileLines(second.lines)) JSON.parse(l);
  // A directory above becomes world-writable: the files are unchanged, their writability is not.
  chmodSync(join(root, 'sub'), 0o777);
  const third = await toLines(previous);
  assert.equal(third.summary.hashed, 0);
  const t0 = fileLines(third.lines)
    .map((l) => JSON.parse(l))
    .find((r) => r.path === join(root, 'sub', 't0'));
  assert.equal(t0.writableBy.other, true);
  assert.equal(t0.sha256, createHash('sha256').update(readFileSync('/bin/true')).digest('hex'));
  assert.equal(third.summary.writableByNonRoot, 5);
});

test('unreadable files are recorded as errors and the scan goes on', { skip: isRoot && 'root reads everything' }, async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-unreadable-')));
  copyFileSync('/bin/true', join(root, 'a'));
  copyFileSync('/bin/true', join(root, 'b'));
  chmodSync(join(root, 'a'), 0o000);
  const { records, summary } = await scanToMemory([root]);
  assert.equal(summary.errors, 1);
  assert.ok(records.some((r) => r.kind === 'error' && r.path === join(root, 'a')));
});

test('a missing root is an error naming the path', async () => {
  await assert.rejects(
    scanToMemory(['/no/such/dir']),
    (e: unknown) => e instanceof ScanRootError && /\/no\/such\/dir/.test(e.message),
  );
});

const launcher = '/root/.pyenv/versions/3.13.0/lib/python3.13/site-packages/pip/_vendor/distlib/w64.exe';
const canSign = existsSync(launcher) && spawnSync('osslsigncode', ['--version']).status !== null;

test('PE: version resource and Authenticode signer subject', {
  skip: !canSign && 'needs a PE launcher and osslsigncode',
}, async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-pe-')));
  const key = join(root, 'k.pem');
  const cert = join(root, 'c.pem');
  const req = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/C=DE/O=Plant Vendor, Line 1/CN=HMI Builder',
  ]);
  assert.equal(req.status, 0, String(req.stderr));
  mkdirSync(join(root, 'win'));
  copyFileSync(launcher, join(root, 'win/plain.exe'));
  const sign = spawnSync('osslsigncode', [
    'sign',
    '-certs',
    cert,
    '-key',
    key,
    '-in',
    launcher,
    '-out',
    join(root, 'win/signed.exe'),
  ]);
  assert.equal(sign.status, 0, String(sign.stderr));
  const { files } = await scanToMemory([join(root, 'win')]);
  const plain = files.get(join(root, 'win/plain.exe'));
  const signed = files.get(join(root, 'win/signed.exe'));
  assert.equal(plain?.type, 'pe');
  assert.equal(plain?.pe?.machine, 'amd64');
  assert.equal(plain?.pe?.signed, false);
  assert.equal(plain?.pe?.versionInfo?.OriginalFilename, 'w64.exe');
  assert.equal(plain?.pe?.versionInfo?.ProductName, 'Simple Launcher');
  assert.ok(plain?.pe?.versionInfo?.CompanyName);
  assert.ok(plain?.pe?.versionInfo?.FileVersion);
  assert.equal(signed?.pe?.signed, true);
  assert.equal(signed?.pe?.signerSubject, 'CN=HMI Builder, O=Plant Vendor\\, Line 1, C=DE');
});

/** A fake dpkg info directory owning `files` (md5 from their content), written now: the install time. */
function fakeDpkg(root: string, pkg: string, files: string[], md5Of: (f: string) => string) {
  const info = join(root, 'info');
  mkdirSync(info, { recursive: true });
  writeFileSync(join(info, `${pkg}.list`), `/.\n${files.join('\n')}\n`);
  writeFileSync(join(info, `${pkg}.md5sums`), files.map((f) => `${md5Of(f)}  ${f.slice(1)}\n`).join(''));
  return loadDpkg(info, root);
}

test('--verify-packages: changed verifies untouched files by ctime and MD5s only changed ones; full and off', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-verify-')));
  const tree = join(root, 'tree');
  mkdirSync(tree);
  for (const n of ['a', 'b', 'c']) copyFileSync('/bin/true', join(tree, n));
  const md5 = createHash('md5').update(readFileSync('/bin/true')).digest('hex');
  await new Promise((r) => setTimeout(r, 20)); // the package is installed after its files are in place
  const paths = ['a', 'b', 'c'].map((n) => join(tree, n));
  const dpkg = fakeDpkg(root, 'demo', paths, () => md5);
  // After installation: b is chmod-ed (content unchanged), c is rewritten with other content.
  await new Promise((r) => setTimeout(r, 20));
  chmodSync(join(tree, 'b'), 0o700);
  writeFileSync(join(tree, 'c'), Buffer.concat([readFileSync('/bin/true'), Buffer.from('x')]));

  const changed = await scanToMemory([tree], { dpkg });
  const pkg = (s: typeof changed, n: string) => s.files.get(join(tree, n))?.package;
  assert.deepEqual([pkg(changed, 'a')?.verified, pkg(changed, 'a')?.verifiedBy], [true, 'ctime']);
  assert.equal(changed.files.get(join(tree, 'a'))?.md5, undefined, 'no MD5 computed for an untouched file');
  assert.deepEqual([pkg(changed, 'b')?.verified, pkg(changed, 'b')?.verifiedBy], [true, 'md5']);
  assert.deepEqual([pkg(changed, 'c')?.verified, pkg(changed, 'c')?.verifiedBy], [false, 'md5']);
  assert.equal(changed.summary.verifiedByCtime, 1);
  assert.equal(changed.summary.verifiedByMd5, 2);
  assert.equal(changed.summary.packageMismatch, 1);

  const full = await scanToMemory([tree], { dpkg, verifyPackages: 'full' });
  assert.deepEqual(
    ['a', 'b', 'c'].map((n) => [pkg(full, n)?.verified, pkg(full, n)?.verifiedBy]),
    [
      [true, 'md5'],
      [true, 'md5'],
      [false, 'md5'],
    ],
  );
  const off = await scanToMemory([tree], { dpkg, verifyPackages: 'off' });
  assert.equal(pkg(off, 'c')?.verified, undefined);
  assert.deepEqual(pkg(off, 'c')?.names, ['demo']);

  // Re-scan with the same database: package facts reused, nothing read; full then needs a's MD5.
  const previous = { files: changed.files, unrecorded: new Set<string>(), packagesKey: 'k1' };
  const keyed = { ...dpkg, key: 'k1', lookup: dpkg.lookup };
  const again = await scanToMemory([tree], { dpkg: keyed, previous });
  assert.equal(again.summary.hashed, 0);
  assert.deepEqual(pkg(again, 'a'), pkg(changed, 'a'));
  const againFull = await scanToMemory([tree], { dpkg: keyed, previous, verifyPackages: 'full' });
  assert.equal(againFull.summary.hashed, 1, 'only the ctime-verified file is read again, for its MD5');
  assert.equal(pkg(againFull, 'a')?.verifiedBy, 'md5');
});
