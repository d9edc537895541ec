// decodeUtf8 must give exactly Buffer#toString('utf8') for any bytes that end at a line boundary:
// ASCII, the Latin-1 Supplement fast path, other scripts, and invalid sequences (U+FFFD either way).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rng } from '../test-support/random.js';
import { decodeUtf8 } from './lines.js';

test('decodeUtf8 equals Buffer#toString on 20,000 random texts', () => {
  const r = rng(0xdec0de);
  const pieces = [
    'Microsoft',
    '® ',
    'é',
    'ü',
    'ÿ',
    '\n',
    '"C:\\\\Windows\\\\"',
    'Ā', // U+0100: C4 80, not Latin-1
    '€',
    '日本',
    '😀',
  ].map((t) => Buffer.from(t, 'utf8'));
  const raw = [
    Buffer.from([0xc2]),
    Buffer.from([0xc3, 0x41]),
    Buffer.from([0x80]),
    Buffer.from([0xff]),
    Buffer.from([0xc2, 0xc2]),
  ];
  for (let k = 0; k < 20_000; k++) {
    const parts: Buffer[] = [];
    const n = Math.floor(r() * 40);
    for (let i = 0; i < n; i++)
      parts.push(
        r() < 0.05 ? (raw[Math.floor(r() * raw.length)] as Buffer) : (pieces[Math.floor(r() * pieces.length)] as Buffer),
      );
    const b = Buffer.concat([...parts, Buffer.from('\n')]);
    // The buffer may be longer than `end` (callers pass the chunk and the end of its last whole line).
    const padded = Buffer.concat([b, Buffer.from('tail ® of the next line')]);
    assert.equal(decodeUtf8(padded, b.length), b.toString('utf8'), JSON.stringify(b.toString('latin1')));
  }
});
