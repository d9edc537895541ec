import type { AuditLine } from './record.js';

/** All records of one audit event (same timestamp and serial), in arrival order. */
export interface AuditEvent {
  readonly key: string;
  readonly time: string;
  readonly serial: number;
  readonly node?: string;
  readonly firstLine: number;
  readonly records: AuditLine[];
  complete: boolean;
}

/**
 * Groups audit lines into events by (node, timestamp, serial). An event is complete at its EOE record; events
 * without EOE (single-record events, logs written without it) complete when MAX_OPEN newer events have
 * started, or at end of input. Completed events leave in the order of their first line, so output follows
 * input order, and memory stays bounded by MAX_OPEN events.
 */
export class AuditAssembler {
  static readonly MAX_OPEN = 64;
  private readonly open = new Map<string, AuditEvent>();
  private readonly queue: AuditEvent[] = [];

  push(rec: AuditLine, line: number): AuditEvent[] {
    const key = `${rec.node ?? ''}|${rec.time}:${rec.serial}`;
    let ev = this.open.get(key);
    if (!ev) {
      ev = {
        key,
        time: rec.time,
        serial: rec.serial,
        ...(rec.node ? { node: rec.node } : {}),
        firstLine: line,
        records: [],
        complete: false,
      };
      this.open.set(key, ev);
      this.queue.push(ev);
      if (this.open.size > AuditAssembler.MAX_OPEN) {
        const oldest = this.queue.find((e) => !e.complete);
        if (oldest) this.finish(oldest);
      }
    }
    if (rec.type === 'EOE') this.finish(ev);
    else ev.records.push(rec);
    return this.drain();
  }

  /** End of input: everything still open is as complete as it will get. */
  flush(): AuditEvent[] {
    for (const ev of this.queue) this.finish(ev);
    return this.drain();
  }

  private finish(ev: AuditEvent): void {
    ev.complete = true;
    this.open.delete(ev.key);
  }

  private drain(): AuditEvent[] {
    const out: AuditEvent[] = [];
    while (this.queue.length > 0 && this.queue[0]?.complete) out.push(this.queue.shift() as AuditEvent);
    return out;
  }
}
