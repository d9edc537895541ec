import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bufferSource } from './bytes.js';
import { pkcs7Signer } from './der.js';
import { elfFileType, parseElf } from './elf.js';
import { parsePe } from './pe.js';
import { rng } from './test-support.js';

/** readelf's view of a file: interpreter and NEEDED entries, to check our parser against. */
function readelf(path: string) {
  const out = spawnSync('readelf', ['-ldW', path], { encoding: 'utf8' }).stdout;
  const interp = /\[Requesting program interpreter: (.+)\]/.exec(out)?.[1];
  const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]);
  return { interp, needed };
}

test('ELF: /bin/true and libc agree with readelf', { skip: !existsSync('/usr/bin/readelf') && 'readelf not installed' }, () => {
  for (const path of ['/bin/true', '/usr/bin/bash', '/lib/x86_64-linux-gnu/libc.so.6'].filter(existsSync)) {
    const info = parseElf(bufferSource(readFileSync(path)));
    assert.ok(info, path);
    const ref = readelf(path);
    assert.equal(info.interpreter, ref.interp, `${path} interpreter`);
    assert.deepEqual(info.needed, ref.needed, `${path} needed`);
    assert.equal(info.warnings, undefined, `${path}: ${info.warnings?.join('; ')}`);
  }
  const libc = parseElf(bufferSource(readFileSync('/lib/x86_64-linux-gnu/libc.so.6')));
  assert.equal(libc && elfFileType(libc), 'elf-library', 'libc has PT_INTERP but a SONAME: a library');
  const t = parseElf(bufferSource(readFileSync('/bin/true')));
  assert.equal(t && elfFileType(t), 'elf-executable');
  assert.equal(t?.static, false);
});

function fuzz(original: Buffer, parse: (b: Buffer) => unknown, rounds: number, seed: number) {
  const random = rng(seed);
  for (let i = 0; i < rounds; i++) {
    const mode = i % 3;
    let b: Buffer;
    if (mode === 0) b = original.subarray(0, Math.floor(random() * Math.min(original.length, 8192)));
    else {
      b = Buffer.from(mode === 1 ? original.subarray(0, 16384) : original);
      // Mutations concentrated in the headers, where offsets and counts live.
      const flips = 1 + Math.floor(random() * 16);
      for (let f = 0; f < flips; f++) {
        const at = random() < 0.7 ? Math.floor(random() * Math.min(b.length, 1024)) : Math.floor(random() * b.length);
        b[at] = random() < 0.3 ? 0xff : Math.floor(random() * 256);
      }
    }
    assert.doesNotThrow(() => parse(b), `seed ${seed} round ${i}`);
  }
}

test('ELF fuzz: truncated and mutated files never throw', () => {
  const original = readFileSync('/bin/true');
  fuzz(original, (b) => parseElf(bufferSource(b)), 3000, 1);
  // 32-bit and big-endian variants reach the other readers
  const flipped = Buffer.from(original);
  flipped[4] = 1;
  fuzz(flipped, (b) => parseElf(bufferSource(b)), 1000, 2);
  flipped[5] = 2;
  fuzz(flipped, (b) => parseElf(bufferSource(b)), 1000, 3);
});

const launcher = '/root/.pyenv/versions/3.13.0/lib/python3.13/site-packages/pip/_vendor/distlib/w64.exe';

test('PE and PKCS#7 fuzz: never throw', () => {
  const pe = existsSync(launcher) ? readFileSync(launcher) : Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4096)]);
  fuzz(pe, (b) => parsePe(bufferSource(b)), 2000, 4);
  const der = Buffer.from(
    '3082010006092a864886f70d010702a081f23081ef020101310f300d06096086480165030402010500300b06092a864886f70d010701',
    'hex',
  );
  fuzz(Buffer.concat([der, Buffer.alloc(300, 0x30)]), (b) => pkcs7Signer(b), 2000, 5);
});
