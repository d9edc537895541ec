// readLines against the plain reading of the same file (decode it whole, split on LF, drop a CR before
// it): lines that cross the 1 MiB reads, multi-byte characters on the boundaries, CRLF, a BOM, empty
// lines, a line longer than a read, and a last line without its newline.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rng } from '../test-support/random.js';
import { readLines } from './lines.js';

function expected(bytes: Buffer): { line: number; text: string }[] {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((t, i) => ({ line: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }));
}

test('readLines equals decoding the file whole and splitting it, across read boundaries', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-lines-'));
  try {
    const r = rng(0x11e5);
    const words = ['Microsoft® Windows®', 'café', 'x'.repeat(200), '日本語', '😀', '"C:\\\\Tools\\\\a.exe"', ''];
    for (const variant of ['plain', 'bom-crlf', 'long-line', 'no-final-newline']) {
      const lines: string[] = [];
      let size = 0;
      while (size < 3.3 * 1024 * 1024) {
        const n = Math.floor(r() * 40);
        const line = Array.from({ length: n }, () => words[Math.floor(r() * words.length)]).join(' ');
        lines.push(line);
        size += Buffer.byteLength(line) + 1;
        if (variant === 'long-line' && lines.length === 500) lines.push('é'.repeat(700_000)); // 1.4 MB: longer than a read
      }
      const eol = variant === 'bom-crlf' ? '\r\n' : '\n';
      let text = lines.join(eol) + (variant === 'no-final-newline' ? '' : eol);
      if (variant === 'bom-crlf') text = `\ufeff${text}`;
      const bytes = Buffer.from(text, 'utf8');
      const file = join(dir, `${variant}.txt`);
      writeFileSync(file, bytes);
      const got: { line: number; text: string }[] = [];
      for await (const l of readLines(file)) {
        assert.ok(!('overlong' in l), `${variant}: no line is overlong`);
        got.push(l as { line: number; text: string });
      }
      const want = expected(bytes);
      assert.equal(got.length, want.length, variant);
      for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `${variant}: line ${i + 1}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
