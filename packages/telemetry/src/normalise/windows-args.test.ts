// splitWindowsCommandLine against a character-at-a-time reading of the CommandLineToArgvW rules,
// on fixed cases and on 50,000 random command lines over the characters that matter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rng } from '../test-support/random.js';
import { splitWindowsCommandLine } from './windows-args.js';

/** The rules, one character at a time: the reference the fast scanner must equal. */
function reference(line: string): string[] {
  const args: string[] = [];
  const blank = (c: string | undefined) => c === ' ' || c === '\t';
  let i = 0;
  while (i < line.length && blank(line[i])) i++;
  if (i >= line.length) return args;
  if (line[i] === '"') {
    const end = line.indexOf('"', i + 1);
    const stop = end < 0 ? line.length : end;
    args.push(line.slice(i + 1, stop));
    i = stop + 1;
  } else {
    const start = i;
    while (i < line.length && !blank(line[i])) i++;
    args.push(line.slice(start, i));
  }
  for (;;) {
    while (i < line.length && blank(line[i])) i++;
    if (i >= line.length) return args;
    let arg = '';
    let quoted = false;
    while (i < line.length) {
      const c = line[i] as string;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(n >> 1);
          if (n % 2 === 1) {
            arg += '"';
            i++;
          }
        } else arg += '\\'.repeat(n);
        continue;
      }
      if (c === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i += 2;
        } else {
          quoted = !quoted;
          i++;
        }
        continue;
      }
      if (!quoted && blank(c)) break;
      arg += c;
      i++;
    }
    args.push(arg);
  }
}

test('Windows command lines split as CommandLineToArgvW does', () => {
  const cases: [string, string[]][] = [
    ['"C:\\Program Files\\x.exe" -a "b c" d', ['C:\\Program Files\\x.exe', '-a', 'b c', 'd']],
    ['cmd.exe /c "C:\\Windows\\System32\\net.exe" user', ['cmd.exe', '/c', 'C:\\Windows\\System32\\net.exe', 'user']],
    ['x a\\\\\\"b "c\\\\" d', ['x', 'a\\"b', 'c\\', 'd']],
    ['x "a""b" "" c', ['x', 'a"b', '', 'c']],
    ['x C:\\dir\\ end\\', ['x', 'C:\\dir\\', 'end\\']],
    ['  ', []],
  ];
  for (const [line, want] of cases) {
    assert.deepEqual(splitWindowsCommandLine(line), want, line);
    assert.deepEqual(reference(line), want, `reference: ${line}`);
  }
});

test('the fast scanner equals the reference on random command lines', () => {
  const r = rng(0x5eed);
  const alphabet = ['a', 'b', '\\', '\\', '"', ' ', '\t', 'C:\\x', 'QUJD'.repeat(12)];
  for (let k = 0; k < 50_000; k++) {
    const line = Array.from({ length: Math.floor(r() * 24) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    assert.deepEqual(splitWindowsCommandLine(line), reference(line), JSON.stringify(line));
  }
});
