import type { Store } from '@execguard/store';
import { formatAuditExport } from '@execguard/trust';
import type { AuditEntry as Change } from './context.js';
import { type KeyHandle, type SigningKeyOptions, trust } from './trust-kit.js';

/**
 * The server's side of the tamper-evident audit log: every state change becomes the next entry of
 * packages/trust's hash chain, stored in order, and every CHECKPOINT_EVERY entries a signed
 * checkpoint seals the chain. Appends are serialised in this process; a second server process on
 * the same database loses the race on the sequence number (unique key) and retries on the new head.
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    private readonly now: () => number,
    readonly key: KeyHandle,
  ) {}

  static open(store: Store, now: () => number, signing: SigningKeyOptions): AuditLog {
    return new AuditLog(store, now, trust.loadOrCreateKey(signing));
  }

  append(e: Change): Promise<void> {
    const next = this.tail.then(() => this.write(e));
    // A failed append fails its caller, not the appends queued after it.
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async write(e: Change): Promise<void> {
    // JSON values only (the chain hashes canonical JSON): undefined fields are dropped here.
    const raw = e.data === undefined ? {} : (JSON.parse(JSON.stringify(e.data)) as unknown);
    const details =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : { value: raw };
    for (let attempt = 0; ; attempt++) {
      const prev = await this.store.lastAudit();
      const at = this.now();
      const entry = trust.nextEntry(prev, { at, actor: e.actor, action: e.action, subject: e.target ?? '-', details });
      try {
        await this.store.appendAudit({
          seq: entry.seq,
          at,
          actor: e.actor,
          action: e.action,
          target: e.target,
          record: JSON.stringify(entry),
          hash: entry.hash,
        });
      } catch (err) {
        if (attempt >= 5) throw err;
        continue;
      }
      if (trust.checkpointDue(entry.seq)) await this.seal(entry.seq, entry.hash, at);
      return;
    }
  }

  private async seal(seq: number, hash: string, at: number): Promise<void> {
    const c = trust.checkpoint(this.key, { seq, hash }, at);
    await this.store.addAuditCheckpoint({ seq, record: JSON.stringify(c), createdAt: at }).catch(() => undefined);
  }

  /**
   * The whole log as the JSON-lines export `execguard audit verify` reads: entries and checkpoints
   * in order, ending with a checkpoint made now over the last entry, so a cut-off end is detected.
   */
  async export(): Promise<string> {
    return this.serialised(async () => {
      const records: object[] = [];
      const checkpoints = new Map<number, object[]>();
      for (let after = 0; ; ) {
        const page = await this.store.listAuditCheckpoints(after, 10_000);
        if (page.length === 0) break;
        for (const c of page) checkpoints.set(c.seq, [...(checkpoints.get(c.seq) ?? []), JSON.parse(c.record) as object]);
        after = page.at(-1)!.seq;
      }
      let last: { seq: number; hash: string } | null = null;
      for (let after = 0; ; ) {
        const page = await this.store.listAudit(after, 10_000);
        if (page.length === 0) break;
        for (const row of page) {
          records.push(JSON.parse(row.record) as object);
          records.push(...(checkpoints.get(row.seq) ?? []));
          last = { seq: row.seq, hash: row.hash };
        }
        after = page.at(-1)!.seq;
      }
      if (last && !checkpoints.has(last.seq)) records.push(trust.checkpoint(this.key, last, this.now()));
      return formatAuditExport(records as Parameters<typeof formatAuditExport>[0]);
    });
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
