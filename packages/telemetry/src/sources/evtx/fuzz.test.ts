/**
 * Robustness: deterministic mutation fuzzing of the fixture files plus hand-built hostile chunks (template loops,
 * nesting bombs, template amplification). The parser must never throw, must stay within an item budget per parse,
 * every record must serialise to JSON, and every issue must carry a chunk index and an in-file offset.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { rng } from '../../test-support/random.js';
import { crc32, crc32Js } from './crc32.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseEvtx } from './index.js';
import { FIXTURES_DIR } from './test-paths.js';
import type { EvtxIssue, EvtxItem, EvtxParseOptions } from './types.js';

/** Upper bound of items any input can yield: a few issues per chunk plus at most one item per 24 record bytes. */
function itemBudget(len: number): number {
  return 16 + Math.ceil(len / CHUNK_SIZE + 1) * (8 + Math.ceil(CHUNK_SIZE / 24));
}

interface Outcome {
  records: number;
  issues: EvtxIssue[];
}

function run(buf: Uint8Array, opts?: EvtxParseOptions): Outcome {
  const budget = itemBudget(buf.length);
  const out: Outcome = { records: 0, issues: [] };
  let n = 0;
  for (const item of parseEvtx(buf, opts) as Iterable<EvtxItem>) {
    n++;
    assert.ok(n <= budget, `more than ${budget} items from ${buf.length} bytes`);
    if (item.kind === 'record') {
      out.records++;
      const json = JSON.stringify(item);
      assert.ok(json.length < 64 * 1024 * 1024);
    } else {
      assert.ok(Number.isInteger(item.chunk) && item.chunk >= -1, 'issue chunk index');
      assert.ok(
        Number.isInteger(item.offset) && item.offset >= 0 && item.offset <= Math.max(buf.length, FILE_HEADER_SIZE),
        'issue offset',
      );
      out.issues.push(item);
    }
  }
  return out;
}

const seeds = readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith('.evtx'))
  .sort()
  .map((f) => new Uint8Array(readFileSync(join(FIXTURES_DIR, f))));

test('mutation fuzz: 2000 deterministic mutations never throw, stay within budgets', { timeout: 60_000 }, (t) => {
  assert.ok(seeds.length > 0);
  const rand = rng(0xec5eed);
  const int = (n: number): number => Math.floor(rand() * n);
  const kinds = new Map<string, number>();
  let records = 0;
  let issues = 0;
  let peakHeap = 0;
  for (let i = 0; i < 2000; i++) {
    const src = seeds[i % seeds.length]!;
    let buf = new Uint8Array(src);
    const dv = new DataView(buf.buffer);
    const chunkStart = FILE_HEADER_SIZE;
    const kind = int(9);
    switch (kind) {
      case 0: // bit flips in the chunk
        for (let k = 1 + int(32); k > 0; k--) {
          const p = chunkStart + int(buf.length - chunkStart);
          buf[p]! ^= 1 << int(8);
        }
        break;
      case 1: {
        // random byte run
        const p = int(buf.length);
        for (let k = int(64); k >= 0 && p + k < buf.length; k--) buf[p + k] = int(256);
        break;
      }
      case 2: // truncation
        buf = buf.slice(0, int(buf.length));
        break;
      case 3: // chunk header field corruption (offsets, counts, CRCs, string/template tables)
        for (let k = 1 + int(4); k > 0; k--) {
          const p = chunkStart + 4 * int(128);
          dv.setUint32(p, rand() < 0.5 ? int(0x10000) : int(0x100000000), true);
        }
        break;
      case 4: // plausible chunk offsets written into the record area (name / template references)
        for (let k = 1 + int(8); k > 0; k--) {
          const p = chunkStart + 512 + int(buf.length - chunkStart - 516);
          dv.setUint32(p, int(CHUNK_SIZE), true);
        }
        break;
      case 5: // file header corruption
        for (let k = 1 + int(8); k > 0; k--) buf[int(128)] = int(256);
        break;
      case 6: {
        // splice a range elsewhere
        const len = 1 + int(2048);
        const from = int(buf.length - len);
        const to = int(buf.length - len);
        buf.copyWithin(to, from, from + len);
        break;
      }
      case 7: {
        // fill a range with 0x00 or 0xff
        const len = 1 + int(4096);
        const p = int(buf.length);
        buf.fill(rand() < 0.5 ? 0 : 0xff, p, p + len);
        break;
      }
      default:
        // BinXML token bytes injected into the record area
        for (let k = 1 + int(16); k > 0; k--) {
          const p = chunkStart + 512 + int(buf.length - chunkStart - 512);
          buf[p] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x0d, 0x0e, 0x0f, 0x41, 0x45, 0x21, 0xa1][int(15)]!;
        }
    }
    const name = ['bitflip', 'byterun', 'truncate', 'chunk-header', 'offsets', 'file-header', 'splice', 'fill', 'tokens'][kind]!;
    kinds.set(name, (kinds.get(name) ?? 0) + 1);
    let out: Outcome;
    try {
      out = run(buf, { xml: i % 4 === 0 });
    } catch (e) {
      assert.fail(`mutation ${i} (${name}) threw: ${e instanceof Error ? e.stack : String(e)}`);
    }
    records += out.records;
    issues += out.issues.length;
    if (i % 100 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  t.diagnostic(
    `kinds ${JSON.stringify(Object.fromEntries(kinds))}; ${records} records, ${issues} issues; peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`,
  );
  assert.ok(peakHeap < 512 * 2 ** 20, 'heap stays bounded');
});

// ---- hand-built hostile chunks ---------------------------------------------------------------------------

class Asm {
  readonly bytes: number[] = [];
  constructor(readonly base: number) {}
  get pos(): number {
    return this.base + this.bytes.length;
  }
  u8(...v: number[]): this {
    for (const x of v) this.bytes.push(x & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v, v >>> 8);
  }
  u32(v: number): this {
    return this.u8(v, v >>> 8, v >>> 16, v >>> 24);
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]!);
    return this;
  }
  /** Name offset field followed by the inline name definition. */
  inlineName(name: string): this {
    this.u32(this.pos + 4)
      .u32(0)
      .u16(0)
      .u16(name.length);
    for (const ch of name) this.u16(ch.charCodeAt(0));
    return this.u16(0);
  }
  fragmentHeader(): this {
    return this.u8(0x0f, 0x01, 0x01, 0x00);
  }
}

/** A one-chunk file with the given record bodies (BinXML) and extra blobs placed at fixed chunk offsets. */
function buildFile(bodies: ((base: number) => number[])[], blobs: { at: number; bytes: number[] }[] = []): Uint8Array {
  const file = new Uint8Array(FILE_HEADER_SIZE + CHUNK_SIZE);
  const dv = new DataView(file.buffer);
  file.set([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00], 0);
  dv.setUint32(32, 128, true);
  dv.setUint16(36, 1, true);
  dv.setUint16(38, 3, true);
  dv.setUint16(40, 4096, true);
  dv.setUint16(42, 1, true);
  dv.setUint32(124, crc32(file, 0, 120), true);
  const c = file.subarray(FILE_HEADER_SIZE);
  const cv = new DataView(c.buffer, c.byteOffset);
  c.set([0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00], 0);
  let pos = 512;
  let id = 1;
  for (const body of bodies) {
    const bin = body(pos + 24);
    const size = 24 + bin.length + 4;
    cv.setUint32(pos, 0x00002a2a, true);
    cv.setUint32(pos + 4, size, true);
    cv.setBigUint64(pos + 8, BigInt(id++), true);
    cv.setBigUint64(pos + 16, 132000000000000000n, true);
    c.set(bin, pos + 24);
    cv.setUint32(pos + size - 4, size, true);
    pos += size;
  }
  for (const b of blobs) c.set(b.bytes, b.at);
  cv.setBigUint64(8, 1n, true);
  cv.setBigUint64(16, BigInt(id - 1), true);
  cv.setUint32(40, 128, true);
  cv.setUint32(48, pos, true);
  cv.setUint32(52, crc32(c, 512, pos), true);
  cv.setUint32(124, crc32(c, 128, 512, crc32(c, 0, 120)), true);
  return file;
}

/** Template definition bytes for an element <name> whose content is `content` (template-relative encoding). */
function templateDef(at: number, name: string, content: (a: Asm) => void): number[] {
  const a = new Asm(at);
  a.u32(0).raw(new Uint8Array(16)).u32(0); // next, GUID, data size (patched below)
  const bodyStart = a.bytes.length;
  a.fragmentHeader().u8(0x01).u16(0xffff).u32(0).inlineName(name).u8(0x02);
  content(a);
  a.u8(0x04, 0x00);
  const size = a.bytes.length - bodyStart;
  a.bytes.splice(20, 4, size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24);
  return a.bytes;
}

test('hostile input: a template that instantiates itself is reported, not followed', () => {
  const defAt = 0x8000;
  const def = templateDef(defAt, 'Loop', (a) => {
    a.u8(0x0c, 0x01).u32(0).u32(defAt).u32(0); // instance of itself, no values
  });
  const file = buildFile(
    [(base) => new Asm(base).fragmentHeader().u8(0x0c, 0x01).u32(0).u32(defAt).u32(0).u8(0x00).bytes],
    [{ at: defAt, bytes: def }],
  );
  const out = run(file);
  assert.equal(out.records, 0);
  assert.ok(
    out.issues.some((i) => i.code === 'binxml' && /template loop/.test(i.message)),
    JSON.stringify(out.issues),
  );
});

test('hostile input: nested BinXML substitution bomb hits the depth limit', () => {
  const tAt = 0x8000;
  const t = templateDef(tAt, 'A', (a) => {
    a.u8(0x0e).u16(0).u8(0x21); // optional substitution 0 of type BinXml
  });
  let inner: number[] = new Asm(0).fragmentHeader().u8(0x00).bytes;
  for (let k = 0; k < 300; k++) {
    const a = new Asm(0).fragmentHeader().u8(0x0c, 0x01).u32(0).u32(tAt).u32(1).u16(inner.length).u8(0x21, 0x00);
    a.raw(inner).u8(0x00);
    inner = a.bytes;
  }
  const file = buildFile([() => inner], [{ at: tAt, bytes: t }]);
  const out = run(file);
  assert.equal(out.records, 0);
  assert.ok(
    out.issues.some((i) => /nesting deeper/.test(i.message)),
    JSON.stringify(out.issues),
  );
  // The same input parses when the limit allows it; 300 levels still cannot blow the stack.
  const deep = run(file, { maxDepth: 1000 });
  assert.equal(deep.records + deep.issues.filter((i) => i.code === 'binxml').length, 1);
});

test('hostile input: template amplification (10^8 nodes) stops at the per-record and per-chunk budgets', () => {
  const blobs: { at: number; bytes: number[] }[] = [];
  let prev = -1;
  let at = 0x4000;
  for (let level = 0; level < 8; level++) {
    const target = prev;
    const bytes = templateDef(at, `L${level}`, (a) => {
      if (target < 0) return;
      for (let k = 0; k < 10; k++) a.u8(0x0c, 0x01).u32(0).u32(target).u32(0);
    });
    blobs.push({ at, bytes });
    prev = at;
    at += bytes.length + 8;
  }
  const top = prev;
  const bodies = Array.from(
    { length: 200 },
    () => (base: number) => new Asm(base).fragmentHeader().u8(0x0c, 0x01).u32(0).u32(top).u32(0).u8(0x00).bytes,
  );
  const file = buildFile(bodies, blobs);
  const started = process.hrtime.bigint();
  const out = run(file);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(out.records, 0);
  assert.equal(out.issues.filter((i) => i.code === 'binxml').length, 200);
  assert.ok(out.issues.some((i) => /chunk node budget/.test(i.message)));
  // Not a performance assertion: a generous guard that the budgets, not the 10^10 expansion, bounded the work.
  assert.ok(ms < 20_000, `took ${ms} ms`);
});

test('structural damage: bad magic, truncation, CRC mismatch and a corrupt record are reported with offsets', () => {
  const src = seeds[0]!;
  assert.deepEqual(
    run(new Uint8Array(0)).issues.map((i) => i.code),
    ['file-too-small'],
  );
  assert.ok(run(new Uint8Array(10_000)).issues.some((i) => i.code === 'bad-file-magic'));

  const crc = new Uint8Array(src);
  crc[FILE_HEADER_SIZE + 600]! ^= 0x01; // inside the first record's BinXML
  const crcOut = run(crc);
  assert.ok(crcOut.issues.some((i) => i.code === 'chunk-records-crc' && i.chunk === 0 && i.offset === FILE_HEADER_SIZE + 52));

  const truncated = src.slice(0, FILE_HEADER_SIZE + 3000);
  const tOut = run(truncated);
  assert.ok(tOut.issues.some((i) => i.code === 'chunk-truncated' && i.chunk === 0));

  const badRecord = new Uint8Array(src);
  badRecord.set([0xde, 0xad, 0xbe, 0xef], FILE_HEADER_SIZE + 512);
  const bOut = run(badRecord);
  const bad = bOut.issues.find((i) => i.code === 'bad-record-magic');
  assert.ok(bad && bad.offset === FILE_HEADER_SIZE + 512);
  const clean = run(src);
  assert.equal(bOut.records, clean.records - 1, 'the records after the damaged one are recovered');

  const badChunk = new Uint8Array(src);
  badChunk[FILE_HEADER_SIZE] = 0x58;
  const cOut = run(badChunk);
  assert.ok(cOut.issues.some((i) => i.code === 'bad-chunk-magic'));
  assert.equal(cOut.records, clean.records, 'records are still read when the first record is intact');
});

test('crc32: native and table implementations agree, including chained ranges', () => {
  const rand = rng(42);
  const buf = new Uint8Array(5000).map(() => Math.floor(rand() * 256));
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  for (const [s, e] of [
    [0, 5000],
    [17, 4000],
    [120, 128],
  ] as const) {
    assert.equal(crc32(buf, s, e), crc32Js(buf, s, e, 0));
    assert.equal(crc32(buf, e, 5000, crc32(buf, s, e)), crc32Js(buf, e, 5000, crc32Js(buf, s, e, 0)));
  }
});

test('FILETIME formatting: fast path and BigInt path agree', async () => {
  const { filetimeToIso } = await import('./values.js');
  assert.equal(filetimeToIso(0, 0), '1601-01-01T00:00:00.0000000Z');
  // 2021-03-01T12:34:56.1234567Z
  const ticks = 132590756961234567n;
  assert.equal(filetimeToIso(Number(ticks & 0xffffffffn), Number(ticks >> 32n)), '2021-03-01T12:34:56.1234567Z');
  const big = 0x10000000n << 32n; // first value on the BigInt path
  const iso = filetimeToIso(0, Number(big >> 32n));
  assert.match(iso, /^\+?\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  const rand = rng(7);
  for (let i = 0; i < 200; i++) {
    const hi = Math.floor(rand() * 0x10000000);
    const lo = Math.floor(rand() * 2 ** 32);
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const secs = Number(t / 10000000n) - 11644473600;
    const want = `${new Date(secs * 1000).toISOString().slice(0, -5)}.${(t % 10000000n).toString().padStart(7, '0')}Z`;
    assert.equal(filetimeToIso(lo, hi), want);
  }
  const justBelow = big - 1n;
  assert.match(filetimeToIso(Number(justBelow & 0xffffffffn), Number(justBelow >> 32n)), /\.\d{7}Z$/);
});
