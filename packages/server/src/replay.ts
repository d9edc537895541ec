import { compile, decide } from '@execguard/engine';
import { defaultCatalogue } from '@execguard/knowledge';
import type { ExecEvent, HostContext, Policy } from '@execguard/schema';
import type { EventFilter, Host } from '@execguard/store';
import type { Ctx } from './context.js';
import { hostContext } from './routes/hosts.js';

export interface ReplayHit {
  readonly hostId: string;
  readonly identity: string;
  readonly count: number;
  readonly ruleIds: readonly string[];
  readonly effects: readonly string[];
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface ReplayResult {
  readonly scanned: number;
  readonly denied: number;
  /** Denied by the candidate where the recorded decision (or, without one, the baseline policy) allowed. */
  readonly newlyDenied: readonly ReplayHit[];
  readonly newlyAllowed: number;
  readonly truncated: boolean;
}

/**
 * Decides stored events with a candidate policy, each at its own time and with its host's current
 * context, and reports per host and identity what would newly be denied. The baseline for each
 * event is the decision recorded with it; events without one are decided with `baseline` (the
 * published policy) when given, else count as allowed.
 */
export async function replay(
  ctx: Ctx,
  candidate: Policy,
  filter: EventFilter,
  baseline: Policy | null,
  maxEvents = 1_000_000,
): Promise<ReplayResult & { deniedHits: ReplayHit[] }> {
  const compiled = compile(candidate, { catalogue: defaultCatalogue });
  const base = baseline ? compile(baseline, { catalogue: defaultCatalogue }) : null;
  const hosts = new Map<string, HostContext>((await ctx.store.listHosts()).map((h: Host) => [h.id, hostContext(h)]));
  const hits = new Map<
    string,
    {
      hostId: string;
      identity: string;
      count: number;
      ruleIds: Set<string>;
      effects: Set<string>;
      firstSeen: number;
      lastSeen: number;
    }
  >();
  const deniedAll = new Map<
    string,
    {
      hostId: string;
      identity: string;
      count: number;
      ruleIds: Set<string>;
      effects: Set<string>;
      firstSeen: number;
      lastSeen: number;
    }
  >();
  let scanned = 0;
  let denied = 0;
  let newlyAllowed = 0;
  let truncated = false;
  const add = (m: typeof hits, hostId: string, identity: string, ruleId: string, effect: string, ts: number) => {
    const key = `${hostId}\u0000${identity}`;
    let h = m.get(key);
    if (!h) {
      h = { hostId, identity, count: 0, ruleIds: new Set(), effects: new Set(), firstSeen: ts, lastSeen: ts };
      m.set(key, h);
    }
    h.count++;
    h.ruleIds.add(ruleId);
    h.effects.add(effect);
    h.firstSeen = Math.min(h.firstSeen, ts);
    h.lastSeen = Math.max(h.lastSeen, ts);
  };
  outer: for await (const page of ctx.store.scanEvents(filter, 2000)) {
    for (const e of page) {
      if (scanned >= maxEvents) {
        truncated = true;
        break outer;
      }
      scanned++;
      const host = hosts.get(e.hostId) ?? { id: e.hostId };
      const d = decide(compiled, e.document as ExecEvent, { now: e.timestamp, host });
      const before =
        e.effect !== null
          ? e.effect === 'allowed'
            ? 'allow'
            : 'deny'
          : base
            ? decide(base, e.document as ExecEvent, { now: e.timestamp, host }).verdict
            : 'allow';
      if (d.verdict === 'deny') {
        denied++;
        add(deniedAll, e.hostId, e.identity, d.ruleId, d.effect, e.timestamp);
        if (before === 'allow') add(hits, e.hostId, e.identity, d.ruleId, d.effect, e.timestamp);
      } else if (before === 'deny') newlyAllowed++;
    }
  }
  const out = (m: typeof hits): ReplayHit[] =>
    [...m.values()]
      .map((h) => ({ ...h, ruleIds: [...h.ruleIds].sort(), effects: [...h.effects].sort() }))
      .sort((a, b) => b.count - a.count || a.hostId.localeCompare(b.hostId) || a.identity.localeCompare(b.identity));
  return { scanned, denied, newlyDenied: out(hits), newlyAllowed, truncated, deniedHits: out(deniedAll) };
}
