import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Spool } from './spool.js';

const dir = () => mkdtempSync(join(tmpdir(), 'execguard-spool-'));

test('events are appended in order and read back with a committed cursor', () => {
  const d = dir();
  try {
    const s = new Spool(d, { segmentBytes: 200 });
    for (let i = 0; i < 10; i++) s.append([{ n: i, pad: 'p'.repeat(40) }]);
    s.append([{ n: 10 }]);
    const first = s.read(undefined, 4);
    assert.deepEqual(
      (first.events as Array<{ n: number }>).map((e) => e.n),
      [0, 1, 2, 3],
    );
    s.commit(first.next);
    const reopened = new Spool(d, { segmentBytes: 200 });
    const rest = reopened.read(reopened.cursor(), 100);
    assert.deepEqual(
      (rest.events as Array<{ n: number }>).map((e) => e.n),
      [4, 5, 6, 7, 8, 9, 10],
    );
    assert.ok(reopened.segments().length >= 2, 'rotated into several segments');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a partial last line left by a crash is cut off when the spool is opened', () => {
  const d = dir();
  try {
    const s = new Spool(d);
    s.append([{ n: 1 }, { n: 2 }]);
    s.close();
    const file = join(d, readdirSync(d).find((f) => f.endsWith('.jsonl')) as string);
    appendFileSync(file, '{"n":3,"trunc');
    const r = new Spool(d);
    assert.equal(r.repairedBytes, '{"n":3,"trunc'.length);
    assert.deepEqual(r.read(undefined).events, [{ n: 1 }, { n: 2 }]);
    r.append([{ n: 4 }]);
    assert.deepEqual(r.read(undefined).events, [{ n: 1 }, { n: 2 }, { n: 4 }]);
    assert.ok(readFileSync(file, 'utf8').endsWith('\n'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('over its bound the spool drops the oldest segments and records how many events were lost', () => {
  const d = dir();
  try {
    const s = new Spool(d, { segmentBytes: 100, maxBytes: 400 });
    for (let i = 0; i < 60; i++) s.append([{ n: i, pad: 'x'.repeat(20) }]);
    const all = s.read(undefined, 10_000).events as Array<{
      n?: number;
      event?: { action?: string };
      execguard?: { lost_total: number };
    }>;
    const overflow = all.filter((e) => e.event?.action === 'spool-overflow');
    assert.ok(overflow.length > 0, 'an overflow note is in the spool');
    const lost = overflow.at(-1)?.execguard?.lost_total ?? 0;
    const kept = all.filter((e) => typeof e.n === 'number');
    assert.equal(kept.at(-1)?.n, 59, 'the newest event is kept');
    assert.ok(kept.length + lost >= 60, `every event is either kept or counted as lost (${kept.length} + ${lost})`);
    // A cursor into a dropped segment continues with the oldest one left.
    assert.ok(s.read({ segment: 1, offset: 0 }, 1).events.length === 1);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
