// guid's fast path and the general reading of a GUID agree on Sysmon's rendering and on anything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rng } from '../test-support/random.js';
import { guid, slowGuid } from './values.js';

test('guid: the fast path equals the general reading on 30,000 generated values', () => {
  const r = rng(0x6d1d);
  const hexes = '0123456789abcdefABCDEF';
  const odd = ['g', ' ', '-', '{', '}', 'K', 'ſ', 'İ', '\0', 'é'];
  assert.equal(guid('{A57649D1-DB54-61AB-775C-DC0100000000}'), 'a57649d1-db54-61ab-775c-dc0100000000');
  assert.equal(guid('a57649d1-db54-61ab-775c-dc0100000000'), 'a57649d1-db54-61ab-775c-dc0100000000');
  assert.equal(guid(' {a57649d1-db54-61ab-775c-dc0100000000} '), 'a57649d1-db54-61ab-775c-dc0100000000');
  assert.equal(guid('{a57649d1-db54-61ab-775c-dc010000000g}'), undefined);
  for (let k = 0; k < 30_000; k++) {
    const groups = [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => hexes[Math.floor(r() * hexes.length)]).join(''));
    let v = groups.join('-');
    if (r() < 0.7) v = `{${v}}`;
    if (r() < 0.3) {
      const at = Math.floor(r() * v.length);
      v = v.slice(0, at) + odd[Math.floor(r() * odd.length)] + v.slice(at + (r() < 0.5 ? 1 : 0));
    }
    assert.equal(guid(v), slowGuid(v), JSON.stringify(v));
  }
});
