import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DigestTable } from './digest-table.js';

const hex = (n: number) => createHash('sha256').update(String(n)).digest('hex');

test('digest table answers exactly as a Map does, any case, hits and misses', () => {
  const map = new Map<string, number>();
  for (let i = 0; i < 5000; i++) map.set(hex(i), i % 7);
  // Same first eight hex digits (same home slot), different digests: found by the full compare.
  const twin = `${hex(0).slice(0, 8)}${'0'.repeat(56)}`;
  map.set(twin, 99);
  // Keys of another length live beside the table.
  map.set('abc', 42);
  const table = new DigestTable(map);
  assert.equal(table.size, map.size);
  for (const [k, v] of map) {
    assert.equal(table.get(k), v);
    assert.equal(table.get(k.toUpperCase()), v);
  }
  for (let i = 5000; i < 10000; i++) assert.equal(table.get(hex(i)), undefined);
  assert.equal(table.get(`${hex(0).slice(0, 8)}${'1'.repeat(56)}`), undefined);
  assert.equal(table.get(hex(1).slice(0, 63)), undefined);
  assert.equal(table.get(`${hex(1)}0`), undefined);
  assert.equal(table.get(''), undefined);
  assert.equal(table.get('zz'.repeat(32)), undefined);
  assert.equal(table.get('ABC'), 42);
  assert.equal(new DigestTable(new Map<string, number>()).get(hex(1)), undefined);
});
