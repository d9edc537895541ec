// The fast path for Sysmon's Hashes rendering and the general parser give the same digests, in the
// same key order, for Sysmon's own text and for anything a mutated or hand-written log may hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rng } from '../test-support/random.js';
import { type Hashes, parseAnyHashes, sysmonFileHashes, sysmonHashes } from './hashes.js';

const reference = (v: string): Hashes => {
  const out: Hashes = {};
  parseAnyHashes(v, out, out);
  return out;
};

test('Sysmon Hashes: the rendering Sysmon writes', () => {
  const v =
    'SHA1=FB0A150601470195C47B4E8D87FCB3F50292BEB2,MD5=9321C107D1F7E336CDA550A2BF049108,SHA256=AD6B98C01EE849874E4B4502C3D7853196F6044240D3271E4AB3FC6E3C08E9A4,IMPHASH=159D56D406180A332FBC99290F30700E';
  assert.deepEqual(Object.entries(sysmonHashes(v)), [
    ['sha1', 'fb0a150601470195c47b4e8d87fcb3f50292beb2'],
    ['md5', '9321c107d1f7e336cda550a2bf049108'],
    ['sha256', 'ad6b98c01ee849874e4b4502c3d7853196f6044240d3271e4ab3fc6e3c08e9a4'],
    ['imphash', '159d56d406180a332fbc99290f30700e'],
  ]);
  assert.deepEqual(sysmonFileHashes(v).imphash, '159d56d406180a332fbc99290f30700e');
  assert.equal('imphash' in sysmonFileHashes(v).file, false);
});

test('Sysmon Hashes: fast path equals the general parser on 20,000 generated and mutated values', () => {
  const r = rng(0x4a5e);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const hex = (n: number) => Array.from({ length: n }, () => pick([...'0123456789abcdefABCDEF'])).join('');
  const names = ['SHA1', 'MD5', 'SHA256', 'IMPHASH', 'sha256', 'Md5', 'SHA384', 'X', '', ' SHA1 ', 'ſha256', 'ImpHash'];
  const lengths = [0, 1, 31, 32, 33, 40, 64, 65];
  const junk = [' ', '0x', 'ſ', 'K', 'İ', 'g', '=', ',', '\t', 'é'];
  for (let i = 0; i < 20_000; i++) {
    const pairs = Array.from({ length: 1 + Math.floor(r() * 5) }, () => `${pick(names)}=${hex(pick(lengths))}`);
    let v = pairs.join(',');
    if (r() < 0.3) {
      const at = Math.floor(r() * (v.length + 1));
      v = v.slice(0, at) + pick(junk) + v.slice(at);
    }
    const fast = sysmonHashes(v);
    const ref = reference(v);
    assert.deepEqual(Object.entries(fast), Object.entries(ref), v);
  }
});
