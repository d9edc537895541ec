import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, isTrustError } from './index.js';

test('canonical JSON: sorted keys (UTF-16 order), no whitespace, JSON.stringify escapes and numbers', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, 'x'], A: { z: 1.5, y: -0 } }),
    '{"A":{"y":0,"z":1.5},"a":[true,null,"x"],"b":1}',
  );
  // UTF-16 code units, as RFC 8785: z (0x7A) < é (0xE9) < 😀 (0xD83D…) < ｡ (0xFF61), although ｡ < 😀 by code point.
  assert.equal(canonicalJson({ '｡': 0, '😀': 1, é: 2, z: 3 }), '{"z":3,"é":2,"😀":1,"｡":0}');
  assert.equal(canonicalJson('a"b\\c\n\u0001'), '"a\\"b\\\\c\\n\\u0001"');
  assert.equal(canonicalJson(1e21), '1e+21');
  assert.equal(canonicalJson({ a: undefined, b: 2 }), '{"b":2}');
  // Same value, any key order: same bytes.
  assert.equal(canonicalJson(JSON.parse('{"x":{"b":1,"a":2},"y":[3]}')), canonicalJson({ y: [3], x: { a: 2, b: 1 } }));
});

test('canonical JSON refuses what it cannot represent exactly', () => {
  const bad: unknown[] = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    [undefined],
    new Date(0),
    new Map(),
    1n,
    () => 1,
    Symbol('s'),
    '\ud800',
    { '\udc00': 1 },
  ];
  for (const v of bad)
    assert.throws(
      () => canonicalJson(v),
      (e) => isTrustError(e, 'E_INVALID_INPUT'),
      String(typeof v),
    );
  let deep: unknown = 1;
  for (let i = 0; i < 500; i++) deep = [deep];
  assert.throws(
    () => canonicalJson(deep),
    (e) => isTrustError(e, 'E_INVALID_INPUT'),
  );
});
