import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageFiles } from './packages.js';

const ROOTS = ['/usr/bin'];
const noPackages = !existsSync('/var/lib/dpkg/info') && 'no dpkg database here';
const summaryOf = (cache: string) => JSON.parse(readFileSync(cache, 'utf8').trim().split('\n').at(-1) ?? '{}');

test('package files: the next scan re-uses the agent’s own previous one, and never a cache others could write', {
  skip: noPackages,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-packages-'));
  try {
    const cache = join(dir, 'package-files.inventory');
    const first = await packageFiles(ROOTS, cache);
    assert.ok(first.size > 50, `${first.size} verified package files under /usr/bin`);
    assert.equal(statSync(cache).mode & 0o777, 0o600);
    assert.ok(summaryOf(cache).hashed > 50);

    const again = await packageFiles(ROOTS, cache);
    assert.deepEqual(again, first);
    const s = summaryOf(cache);
    assert.equal(s.hashed, 0, 'nothing read again');
    assert.ok(s.reused > 50);

    // A forged cache that calls another content "verified": used only if nobody else could write it.
    const [path, real] = [...first][0]!;
    const forged = readFileSync(cache, 'utf8').replaceAll(real.sha256, 'f'.repeat(64));
    writeFileSync(cache, forged);
    chmodSync(cache, 0o666);
    const checked = await packageFiles(ROOTS, cache);
    assert.equal(checked.get(path)?.sha256, real.sha256, 'a world-writable cache is ignored: everything is read again');
    assert.ok(summaryOf(cache).hashed > 50);
    assert.equal(statSync(cache).mode & 0o777, 0o600, 'and replaced by a private one');
    writeFileSync(cache, 'not an inventory\n{');
    assert.deepEqual(await packageFiles(ROOTS, cache), first, 'a damaged cache means a full scan');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
