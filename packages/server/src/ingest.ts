import { createHash } from 'node:crypto';
import type { ExecEvent } from '@execguard/schema';
import type { Effect, Store, StoredEvent } from '@execguard/store';
import { badRequest, forbidden } from './errors.js';

export const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
const TECHNIQUE = /^T0[0-9]{3}$/;
const EFFECTS = new Set<Effect>(['allowed', 'denied', 'would-deny']);

/**
 * Turns one validated ExecEvent into its stored form. The stored id is "host/event.id": ids are
 * unique per host, and one host can never pre-empt another host's events by claiming their ids.
 * An event without event.id gets the sha256 of its JSON, so re-uploading the same file is a no-op.
 */
export function toStored(ev: ExecEvent, index: number, hostId: string, receivedAt: number): StoredEvent {
  const at = `events[${index}]`;
  const ts = ev['@timestamp'] === undefined ? receivedAt : Date.parse(ev['@timestamp']);
  if (Number.isNaN(ts)) throw badRequest(`${at}/@timestamp`, `"${ev['@timestamp']}" is not an RFC 3339 time`);
  const rawId = ev.event?.id;
  if (rawId !== undefined && (rawId.length === 0 || rawId.length > 256))
    throw badRequest(`${at}/event/id`, 'must be 1 to 256 characters');
  const eventId = rawId ?? `sha256:${createHash('sha256').update(JSON.stringify(ev)).digest('hex')}`;
  const x = ev.execguard as
    | { decision?: { effect?: unknown; ruleId?: unknown; techniques?: unknown; windowId?: unknown } }
    | undefined;
  const decision = x?.decision;
  const effect =
    typeof decision?.effect === 'string' && EFFECTS.has(decision.effect as Effect) ? (decision.effect as Effect) : null;
  const sha = ev.process.hash?.sha256;
  const sha256 = sha !== undefined && SHA256.test(sha) ? sha.toLowerCase() : null;
  const executable = ev.process.executable ?? null;
  const techniques = new Set<string>();
  for (const t of ev.threat?.technique?.id ?? []) if (TECHNIQUE.test(t)) techniques.add(t);
  if (Array.isArray(decision?.techniques))
    for (const t of decision.techniques) if (typeof t === 'string' && TECHNIQUE.test(t)) techniques.add(t);
  const ruleId = typeof decision?.ruleId === 'string' ? decision.ruleId : (ev.rule?.id ?? null);
  return {
    id: `${hostId}/${eventId}`,
    hostId,
    timestamp: ts,
    receivedAt,
    effect,
    identity: sha256 ?? executable ?? ev.process.name ?? 'unknown',
    sha256,
    executable,
    ruleId,
    techniques: [...techniques].sort(),
    // Allowed only because a maintenance window relaxed the policy: what came in during the window goes to review.
    ...(typeof decision?.windowId === 'string' ? { review: true } : {}),
    document: ev,
  };
}

/** The host an event belongs to; an agent's events are its own host's, whatever they claim. */
export function hostOf(ev: ExecEvent, index: number, agentHost: string | null): string {
  const claimed = ev.host?.id ?? ev.host?.name;
  if (agentHost !== null) {
    if (claimed !== undefined && claimed !== agentHost && ev.host?.id !== undefined)
      throw forbidden(`events[${index}]/host/id: an agent may only post events of its own host (${agentHost})`);
    return agentHost;
  }
  if (claimed === undefined)
    throw badRequest(`events[${index}]/host/id`, 'required (or host.name) when the uploader is not an agent');
  if (!HOST_ID.test(claimed))
    throw badRequest(`events[${index}]/host/id`, `"${claimed}" is not a valid host id (letters, digits, . _ : -)`);
  return claimed;
}

interface Pending {
  readonly events: readonly StoredEvent[];
  readonly resolve: (n: number) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit: requests that arrive while a transaction is being written wait for the next one,
 * which then holds all of them. Each request is answered only after the transaction holding its
 * events committed, so an acknowledged event is on disk; and one fsync serves many requests.
 */
export class EventWriter {
  private queue: Pending[] = [];
  private running = 0;
  private readonly seen = new Map<string, number>();
  private readonly knownHosts = new Set<string>();

  constructor(
    private readonly store: Store,
    /** Transactions in flight at once: 1 for SQLite (one writer anyway), a few for PostgreSQL. */
    private readonly concurrency: number,
    private readonly maxRows = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  submit(events: readonly StoredEvent[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (this.running < this.concurrency) void this.drain();
    });
  }

  private take(): Pending[] {
    let rows = 0;
    let i = 0;
    while (i < this.queue.length && (i === 0 || rows + this.queue[i]!.events.length <= this.maxRows))
      rows += this.queue[i++]!.events.length;
    return this.queue.splice(0, i);
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      for (let group = this.take(); group.length > 0; group = this.take()) {
        const all = group.flatMap((p) => p.events);
        try {
          await this.ensureHosts(all);
          const n = await this.store.insertEvents(all);
          for (const p of group) p.resolve(p === group[0] ? n : 0);
        } catch {
          // One request's rows must not fail the others: retry each on its own.
          for (const p of group) await this.store.insertEvents(p.events).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.running--;
    }
  }

  private async ensureHosts(events: readonly StoredEvent[]): Promise<void> {
    const fresh = new Map<string, { id: string; name: string | null; os: string | null }>();
    for (const e of events) {
      if (this.knownHosts.has(e.hostId) || fresh.has(e.hostId)) continue;
      const doc = e.document as ExecEvent;
      fresh.set(e.hostId, { id: e.hostId, name: doc.host?.name ?? null, os: doc.host?.os?.family ?? null });
    }
    if (fresh.size === 0) return;
    await this.store.ensureHosts([...fresh.values()], this.now());
    for (const id of fresh.keys()) this.knownHosts.add(id);
  }

  /** Remembers that a host reported; written in batches by flushSeen (one transaction, not one per request). */
  sawHost(id: string, at: number): void {
    if ((this.seen.get(id) ?? 0) < at) this.seen.set(id, at);
  }

  async flushSeen(): Promise<void> {
    if (this.seen.size === 0) return;
    const batch = [...this.seen].map(([id, at]) => ({ id, at }));
    this.seen.clear();
    await this.store.touchHosts(batch);
  }

  /** Waits for every queued batch to be written (shutdown). */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.running > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
