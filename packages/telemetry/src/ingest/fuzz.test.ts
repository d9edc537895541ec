import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { srcDir } from '../test-support/golden.js';
import { ingestFiles } from './ingest.js';

/** Deterministic xorshift PRNG so a failing case can be reproduced from its seed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function mutate(buf: Buffer, r: () => number): Buffer {
  const kind = Math.floor(r() * 6);
  const b = Buffer.from(buf);
  const at = Math.floor(r() * b.length);
  switch (kind) {
    case 0: // flip bytes
      for (let i = 0; i < 1 + r() * 16; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      return b;
    case 1: // truncate
      return b.subarray(0, at);
    case 2: // wrong encoding: the same text as UTF-16LE with a BOM
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('utf8'), 'utf16le')]);
    case 3: // huge field
      return Buffer.concat([b.subarray(0, at), Buffer.alloc(2_000_000, 0x41), b.subarray(at)]);
    case 4: // duplicate a slice
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.floor(at / 2)), b.subarray(at)]);
    default: // delete a slice
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + Math.floor(r() * 200)))]);
  }
}

test('fuzz: mutated fixtures of every source never throw, terminate, and report malformed records with a location', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-fuzz-'));
  const sources = ['auditd', 'fapolicyd', 'osquery', 'sysmon', 'security-4688', 'applocker', 'wdac', 'powershell', 'windows'];
  const fixtures = sources.flatMap((s) => readdirSync(join(srcDir(s), 'fixtures')).map((f) => join(srcDir(s), 'fixtures', f)));
  const r = rng(0x5eed);
  const started = Date.now();
  let cases = 0;
  let malformed = 0;
  for (const f of fixtures) {
    const original = readFileSync(f);
    for (let i = 0; i < 12; i++) {
      const file = join(dir, `${cases}-${f.split('/').pop()}`);
      writeFileSync(file, mutate(original, r));
      for (const format of ['auto'] as const) {
        const run = ingestFiles([file], { format });
        for await (const item of run) {
          if ('malformed' in item) {
            malformed++;
            assert.equal(item.malformed.file, file);
            assert.ok(
              item.malformed.line !== undefined ||
                item.malformed.offset !== undefined ||
                /cannot read/.test(item.malformed.message),
            );
          } else assert.ok(item.event.process !== undefined);
        }
      }
      cases++;
    }
  }
  assert.ok(cases > 100, `${cases} cases`);
  assert.ok(malformed > 0, 'some mutations were reported as malformed');
  assert.ok(Date.now() - started < 50_000, 'bounded time');
});
