import { ExecEvent } from '@execguard/schema';
import type { Effect, EventFilter, StoredEvent } from '@execguard/store';
import { type Static, Type } from '@sinclair/typebox';
import type { Ctx } from '../context.js';
import { badRequest } from '../errors.js';
import { hostOf, toStored } from '../ingest.js';
import { defineRoute } from '../route.js';
import { Body, Id, iso, Limit, Query, Time } from '../schemas.js';
import { READ } from './hosts.js';

export const MAX_BATCH = 5000;
const EffectName = Type.Union([Type.Literal('allowed'), Type.Literal('denied'), Type.Literal('would-deny')]);

export function eventView(e: StoredEvent) {
  return {
    id: e.id,
    hostId: e.hostId,
    timestamp: iso(e.timestamp),
    receivedAt: iso(e.receivedAt),
    effect: e.effect,
    identity: e.identity,
    ruleId: e.ruleId,
    techniques: e.techniques,
    event: e.document,
  };
}

const list = (s: string | undefined) => (s === undefined ? undefined : s.split(',').filter((x) => x !== ''));

const FILTER = {
  host: Type.Optional(Type.String({ description: 'host ids, comma-separated' })),
  effect: Type.Optional(Type.String({ description: 'allowed, denied, would-deny; comma-separated' })),
  identity: Type.Optional(Type.String({ maxLength: 4096 })),
  technique: Type.Optional(Type.String({ pattern: '^T0[0-9]{3}$' })),
  rule: Type.Optional(Id),
};

const RANGE = { since: Type.Optional(Time), until: Type.Optional(Time) };
const FilterQuery = Type.Object({ ...FILTER, ...RANGE });
type FilterQuery = Static<typeof FilterQuery>;

/** The store filter of a validated query string; unknown effects are a 400. */
function filterOf(query: FilterQuery): EventFilter {
  const effects = list(query.effect);
  for (const e of effects ?? [])
    if (!['allowed', 'denied', 'would-deny'].includes(e)) throw badRequest('querystring/effect', `unknown effect "${e}"`);
  return {
    ...(query.host ? { hostIds: list(query.host)! } : {}),
    ...(effects ? { effects: effects as Effect[] } : {}),
    ...(query.identity ? { identity: query.identity } : {}),
    ...(query.technique ? { technique: query.technique } : {}),
    ...(query.rule ? { ruleId: query.rule } : {}),
    ...(query.since ? { since: Date.parse(query.since) } : {}),
    ...(query.until ? { until: Date.parse(query.until) } : {}),
  };
}

const BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;
const MAX_BUCKETS = 1000;

export function eventRoutes(ctx: Ctx) {
  const { store } = ctx;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/events',
      roles: ['agent', 'analyst', 'admin'],
      tag: 'events',
      summary:
        'Upload a batch of ExecEvents (idempotent by host and event.id). Answered only after the batch is committed. An agent may post only its own host’s events.',
      bodyLimit: 32 * 1024 * 1024,
      body: Body({ events: Type.Array(ExecEvent, { minItems: 1, maxItems: MAX_BATCH }) }),
      response: Type.Object({ accepted: Type.Integer({ description: 'events now stored (new or already there)' }) }),
      handler: async ({ body, principal }) => {
        const now = ctx.now();
        const agentHost = principal.role === 'agent' ? principal.hostId : null;
        const stored = body.events.map((ev, i) => toStored(ev, i, hostOf(ev, i, agentHost), now));
        await ctx.writer.submit(stored);
        if (agentHost) ctx.writer.sawHost(agentHost, now);
        return { accepted: stored.length };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/events',
      roles: READ,
      tag: 'events',
      summary: 'Query events, newest first, with facet counts (host, effect, technique) over all matches',
      query: Query({
        ...FILTER,
        ...RANGE,
        limit: Type.Optional(Limit),
        cursor: Type.Optional(Type.String({ maxLength: 1000 })),
      }),
      handler: async ({ query }) => {
        try {
          const page = await store.queryEvents({
            limit: query.limit ?? 100,
            ...filterOf(query),
            ...(query.cursor ? { cursor: query.cursor } : {}),
          });
          return { total: page.total, facets: page.facets, cursor: page.cursor, events: page.events.map(eventView) };
        } catch (e) {
          if (e instanceof RangeError) throw badRequest('querystring/cursor', 'invalid cursor');
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/events/timeline',
      roles: READ,
      tag: 'events',
      summary:
        'Event counts per hour or day and effect between since and until (the same filters as /v1/events): every bucket, empty ones included',
      query: Query({ ...FILTER, since: Time, until: Time, bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]) }),
      response: Type.Object({
        bucket: Type.String(),
        buckets: Type.Array(
          Type.Object({
            start: Type.String({ format: 'date-time' }),
            counts: Type.Record(Type.String(), Type.Integer(), { description: 'effect (or none) → events' }),
          }),
        ),
      }),
      handler: async ({ query }) => {
        const filter = filterOf(query);
        const since = filter.since as number;
        const until = filter.until as number;
        const bucketMs = BUCKETS[query.bucket];
        if (until <= since) throw badRequest('querystring/until', 'until must be after since');
        const n = Math.ceil((until - since) / bucketMs);
        if (n > MAX_BUCKETS)
          throw badRequest('querystring/since', `at most ${MAX_BUCKETS} ${query.bucket}s per query (asked ${n})`);
        const buckets = Array.from({ length: n }, (_, i) => ({
          start: iso(since + i * bucketMs),
          counts: {} as Record<string, number>,
        }));
        for (const c of await store.eventTimeline({ ...filter, since, until, bucketMs })) {
          const b = buckets[(c.start - since) / bucketMs];
          if (b) b.counts[c.effect] = c.count;
        }
        return { bucket: query.bucket, buckets };
      },
    }),
  ];
}

export { EffectName };
