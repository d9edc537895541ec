// The host's interpreters, loaders and proxy binaries by content: names the catalogue knows are
// hashed, links are followed, anything else is left out.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultCatalogue } from '@execguard/knowledge';
import { contentNames } from './content-names.js';

test('contentNames lists interpreters, loaders and proxies by sha256, following links', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-content-names-'));
  try {
    const bin = join(dir, 'bin');
    const lib = join(dir, 'lib');
    mkdirSync(bin);
    mkdirSync(lib);
    writeFileSync(join(bin, 'python3.11'), 'interpreter bytes');
    symlinkSync('python3.11', join(bin, 'python3'));
    writeFileSync(join(bin, 'find'), 'proxy bytes');
    writeFileSync(join(lib, 'ld-linux-x86-64.so.2'), 'loader bytes');
    copyFileSync('/usr/bin/true', join(bin, 'vendor-tool'));
    mkdirSync(join(bin, 'perl'));
    const got = await contentNames(defaultCatalogue, [bin, lib, join(dir, 'missing')]);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const byName = Object.fromEntries(got.map((c) => [c.name, c.sha256]));
    assert.deepEqual(byName, {
      'python3.11': sha('interpreter bytes'),
      python3: sha('interpreter bytes'),
      find: sha('proxy bytes'),
      'ld-linux-x86-64.so.2': sha('loader bytes'),
    });
    assert.equal(
      byName.find,
      createHash('sha256')
        .update(readFileSync(join(bin, 'find')))
        .digest('hex'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
