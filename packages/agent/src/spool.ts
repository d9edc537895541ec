/**
 * The agent's event spool: append-only JSON lines in numbered segment files, fsync'ed per batch,
 * read back in order by whatever ships them (the server link) with a cursor it commits after the
 * server acknowledged. Crash safety: a batch is one write of whole lines followed by fsync; after a
 * crash the only possible damage is a partial last line, which opening the spool cuts off (and
 * counts), so every line a reader sees is a complete event.
 *
 * Bounded: when the spool holds more than `maxBytes`, the oldest segments are deleted (oldest
 * evidence goes first, the newest is what an investigation of a live incident needs) and a
 * `spool-overflow` line records how many events were lost, so the gap itself is evidence.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface SpoolOptions {
  /** Bytes per segment before a new one starts (default 16 MiB). */
  readonly segmentBytes?: number;
  /** Bytes the spool may hold in all (default 512 MiB). */
  readonly maxBytes?: number;
}

export interface SpoolCursor {
  readonly segment: number;
  readonly offset: number;
}

const SEGMENT = /^(\d{8})\.jsonl$/;
const name = (n: number) => `${String(n).padStart(8, '0')}.jsonl`;

export class Spool {
  private fd = -1;
  private segment = 0;
  private size = 0;
  private readonly segmentBytes: number;
  private readonly maxBytes: number;
  /** Partial lines cut off when the spool was opened (a crash mid-write). */
  readonly repairedBytes: number;
  private lostEvents = 0;

  constructor(
    readonly dir: string,
    o: SpoolOptions = {},
  ) {
    this.segmentBytes = o.segmentBytes ?? 16 * 1024 * 1024;
    this.maxBytes = o.maxBytes ?? 512 * 1024 * 1024;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const segments = this.segments();
    this.segment = segments.at(-1) ?? 1;
    this.fd = openSync(join(dir, name(this.segment)), 'a+', 0o600);
    this.repairedBytes = this.repairTail();
    this.size = fstatSync(this.fd).size;
  }

  /** Segment numbers present, oldest first. */
  segments(): number[] {
    return readdirSync(this.dir)
      .map((f) => SEGMENT.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Cuts a partial last line (no trailing newline) left by a crash. */
  private repairTail(): number {
    const size = fstatSync(this.fd).size;
    if (size === 0) return 0;
    const tail = Buffer.alloc(Math.min(size, 1 << 20));
    readSync(this.fd, tail, 0, tail.length, size - tail.length);
    const lastNl = tail.lastIndexOf(0x0a);
    if (lastNl === tail.length - 1) return 0;
    const keep = lastNl < 0 ? size - tail.length : size - tail.length + lastNl + 1;
    ftruncateSync(this.fd, keep);
    fsyncSync(this.fd);
    return size - keep;
  }

  /** Appends events as one write and makes them durable before returning. */
  append(events: readonly unknown[]): void {
    if (events.length === 0) return;
    const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    const buf = Buffer.from(lines);
    writeSync(this.fd, buf);
    fsyncSync(this.fd);
    this.size += buf.length;
    if (this.size >= this.segmentBytes) this.rotate();
    this.enforceBound();
  }

  private rotate(): void {
    closeSync(this.fd);
    this.segment++;
    this.fd = openSync(join(this.dir, name(this.segment)), 'a+', 0o600);
    this.size = 0;
  }

  private enforceBound(): void {
    let total = 0;
    const segs = this.segments();
    const sizes = segs.map((s) => statSync(join(this.dir, name(s))).size);
    for (const s of sizes) total += s;
    let lost = 0;
    for (let i = 0; i < segs.length - 1 && total > this.maxBytes; i++) {
      const file = join(this.dir, name(segs[i] as number));
      lost += countLines(file);
      unlinkSync(file);
      total -= sizes[i] as number;
    }
    if (lost > 0) {
      this.lostEvents += lost;
      const note = {
        '@timestamp': new Date().toISOString(),
        event: { kind: 'alert', action: 'spool-overflow' },
        execguard: { lost_events: lost, lost_total: this.lostEvents },
      };
      const buf = Buffer.from(`${JSON.stringify(note)}\n`);
      writeSync(this.fd, buf);
      fsyncSync(this.fd);
      this.size += buf.length;
    }
  }

  /** Events after `cursor`, at most `max`, with the cursor to commit once they are delivered. */
  read(cursor: SpoolCursor | undefined, max = 1000): { events: unknown[]; next: SpoolCursor } {
    const segs = this.segments();
    let seg = cursor?.segment ?? segs[0] ?? this.segment;
    let offset = cursor?.offset ?? 0;
    if (segs.length > 0 && seg < (segs[0] as number)) {
      seg = segs[0] as number; // the segment was dropped by the bound: continue with the oldest left
      offset = 0;
    }
    const events: unknown[] = [];
    while (events.length < max) {
      let data: Buffer;
      try {
        data = readFileSync(join(this.dir, name(seg)));
      } catch {
        break;
      }
      let pos = offset;
      while (events.length < max) {
        const nl = data.indexOf(0x0a, pos);
        if (nl < 0) break;
        events.push(JSON.parse(data.subarray(pos, nl).toString('utf8')));
        pos = nl + 1;
      }
      offset = pos;
      if (pos < data.length || seg >= this.segment) break;
      seg++;
      offset = 0;
    }
    return { events, next: { segment: seg, offset } };
  }

  /** Persists a delivery cursor atomically (write, fsync, rename). */
  commit(cursor: SpoolCursor, file = 'cursor.json'): void {
    const tmp = join(this.dir, `.${file}.tmp`);
    writeFileSync(tmp, JSON.stringify(cursor), { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, file));
  }

  cursor(file = 'cursor.json'): SpoolCursor | undefined {
    try {
      const c = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as SpoolCursor;
      return Number.isInteger(c.segment) && Number.isInteger(c.offset) ? c : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

function countLines(file: string): number {
  const data = readFileSync(file);
  let n = 0;
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) n++;
  return n;
}
