import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DigestIndex } from './digest-index.js';

const sha = (i: number) => createHash('sha256').update(String(i)).digest('hex');

test('finds every digest, in either case, and nothing else', () => {
  const entries = new Map<string, number>();
  for (let i = 0; i < 5000; i++) entries.set(sha(i), i % 7);
  const index = new DigestIndex(entries);
  for (let i = 0; i < 5000; i++) {
    assert.equal(index.get(sha(i)), i % 7);
    assert.equal(index.get(sha(i).toUpperCase()), i % 7);
  }
  for (let i = 5000; i < 10000; i++) assert.equal(index.get(sha(i)), undefined);
  assert.equal(index.get('zz'), undefined);
  assert.equal(index.get(`${sha(1).slice(0, 63)}g`), undefined, 'non-hex never matches');
  assert.equal(index.get(`${sha(1).slice(0, 63)}${sha(1)[63] === '0' ? '1' : '0'}`), undefined, 'a one-digit difference');
});

test('digests that share their first 36 hex digits are told apart', () => {
  const prefix = 'a'.repeat(36);
  const entries = new Map<string, string>();
  for (let i = 0; i < 300; i++) entries.set(prefix + i.toString(16).padStart(28, '0'), `v${i}`);
  const index = new DigestIndex(entries);
  for (let i = 0; i < 300; i++) assert.equal(index.get(prefix + i.toString(16).padStart(28, '0')), `v${i}`);
  assert.equal(index.get(prefix + 'f'.repeat(28)), undefined);
});

test('an empty index finds nothing; bad keys are refused at build time', () => {
  assert.equal(new DigestIndex(new Map()).get(sha(1)), undefined);
  assert.throws(() => new DigestIndex(new Map([['xyz', 1]])), /not a SHA-256 digest/);
});
