import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bufferSource, fdSource, headedSource, View } from './bytes.js';
import { parseElf } from './elf.js';
import { rng } from './test-support.js';

test('View.u64 reads what BigInt reads, and undefined beyond 2^53 - 1', () => {
  const random = rng(11);
  const buf = Buffer.alloc(8);
  for (let i = 0; i < 20000; i++) {
    for (let b = 0; b < 8; b++) buf[b] = Math.floor(random() * 256);
    // Values around the limit, where the high half is 0x1fffff or 0x200000.
    if (i % 4 === 1) buf.writeUInt32LE(0x1fffff + (i % 8 === 1 ? 0 : 1), 4);
    if (i % 4 === 2) buf.writeUInt32BE(0x1fffff + (i % 8 === 2 ? 0 : 1), 0);
    for (const little of [true, false]) {
      const big = little ? buf.readBigUInt64LE(0) : buf.readBigUInt64BE(0);
      const want = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
      assert.equal(new View(buf, little).u64(0), want, `${buf.toString('hex')} ${little ? 'LE' : 'BE'}`);
    }
  }
  assert.equal(new View(buf, true).u64(1), undefined, 'past the end');
});

test('headedSource returns the same bytes as reading the file, whatever the range', () => {
  const path = '/usr/bin/bash';
  const whole = readFileSync(path);
  const fd = openSync(path, 'r');
  try {
    const random = rng(12);
    for (const headLength of [0, 1, 64, 4096, 1 << 16, whole.length]) {
      const src = headedSource(whole.subarray(0, headLength), fdSource(fd, whole.length));
      const reference = bufferSource(whole);
      // Reads that end just before, at and just after the head, and reads that start there.
      for (const offset of [0, headLength - 2, headLength - 1, headLength, headLength + 1])
        for (const end of [headLength - 1, headLength, headLength + 1, headLength + 2])
          assert.deepEqual(
            src.read(offset, end - offset),
            reference.read(offset, end - offset),
            `head ${headLength}: ${offset}..${end}`,
          );
      for (let i = 0; i < 2000; i++) {
        const offset = i % 10 === 0 ? -1 - i : Math.floor(random() * (whole.length + 100));
        const length = Math.floor(random() * (i % 3 === 0 ? 200 : 100000)) - 10;
        assert.deepEqual(
          src.read(offset, length),
          reference.read(offset, length),
          `head ${headLength}: read(${offset}, ${length})`,
        );
      }
    }
  } finally {
    closeSync(fd);
  }
});

test('ELF headers parsed from the first read equal those read from the file', () => {
  const names = readdirSync('/usr/bin').sort().slice(0, 300);
  let elves = 0;
  for (const name of names) {
    let whole: Buffer;
    try {
      whole = readFileSync(`/usr/bin/${name}`);
    } catch {
      continue; // a directory or dangling link
    }
    const expected = parseElf(bufferSource(whole));
    if (!expected) continue;
    elves++;
    for (const headLength of [64, 4096, 1 << 16]) {
      const src = headedSource(whole.subarray(0, headLength), bufferSource(whole));
      assert.deepEqual(parseElf(src), expected, `/usr/bin/${name} with ${headLength} bytes read first`);
    }
  }
  assert.ok(elves > 50, `only ${elves} ELF files among the first 300 of /usr/bin`);
});
