import { TRIAGE_STATES, type TriageState } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../context.js';
import { badRequest, conflict } from '../errors.js';
import { defineRoute } from '../route.js';
import { Body, Id, iso, Limit, Query, Time } from '../schemas.js';
import { createException } from './exceptions.js';
import { READ } from './hosts.js';
import { addPolicyVersion, latestPolicy } from './policies.js';

const Identity = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: 'sha256 of the program, or its path when no hash was reported',
});
const State = Type.Unsafe<TriageState>({ type: 'string', enum: [...TRIAGE_STATES] });
const SHA256 = /^[0-9a-f]{64}$/;

export function reviewRoutes(ctx: Ctx) {
  const { store } = ctx;
  const triage = async (identity: string, state: TriageState, note: string | null, by: string) => {
    const before = await store.getTriage(identity);
    await store.setTriage({ identity, state, note, updatedBy: by, updatedAt: ctx.now() });
    await ctx.audit({
      actor: by,
      action: 'review.triage',
      target: identity,
      data: { from: before?.state ?? 'new', to: state, note },
    });
  };
  const requireSeen = async (identity: string) => {
    const seen = await store.queryEvents({ identity, limit: 1 });
    if (seen.total === 0) throw badRequest('body/identity', 'no stored event has this identity');
    return seen;
  };
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/review',
      roles: READ,
      tag: 'review',
      summary:
        'Review queue: denied, would-deny and technique-tagged events grouped by identity, with triage state; flags identities first seen inside a maintenance window',
      query: Query({
        state: Type.Optional(Type.String({ description: `comma-separated: ${TRIAGE_STATES.join(', ')}` })),
        host: Type.Optional(Type.String({ description: 'host ids, comma-separated' })),
        effect: Type.Optional(Type.String({ description: 'denied, would-deny, allowed; comma-separated' })),
        since: Type.Optional(Time),
        limit: Type.Optional(Limit),
      }),
      handler: async ({ query }) => {
        const states = query.state?.split(',').filter(Boolean);
        for (const s of states ?? [])
          if (!(TRIAGE_STATES as readonly string[]).includes(s)) throw badRequest('querystring/state', `unknown state "${s}"`);
        const effects = query.effect?.split(',').filter(Boolean);
        for (const e of effects ?? [])
          if (!['allowed', 'denied', 'would-deny'].includes(e)) throw badRequest('querystring/effect', `unknown effect "${e}"`);
        const groups = await store.reviewQueue({
          limit: query.limit ?? 100,
          ...(states ? { states: states as TriageState[] } : {}),
          ...(effects ? { effects: effects as ('allowed' | 'denied' | 'would-deny')[] } : {}),
          ...(query.host ? { hostIds: query.host.split(',') } : {}),
          ...(query.since ? { since: Date.parse(query.since) } : {}),
        });
        const windows = (await store.listWindows()).filter((w) => w.revokedAt === null);
        return {
          groups: groups.map((g) => {
            const w = windows.find((x) => g.firstSeen >= x.start && g.firstSeen < x.end);
            return { ...g, firstSeen: iso(g.firstSeen), lastSeen: iso(g.lastSeen), firstSeenInWindow: w?.id ?? null };
          }),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/review/triage',
      roles: ['analyst', 'admin'],
      tag: 'review',
      summary: 'Set the triage state of an identity',
      body: Body({ identity: Identity, state: State, note: Type.Optional(Type.String({ maxLength: 4000 })) }),
      handler: async ({ body, principal }) => {
        await requireSeen(body.identity);
        await triage(body.identity, body.state, body.note ?? null, principal.subject);
        return store.getTriage(body.identity);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/review/approve',
      roles: ['analyst', 'admin'],
      tag: 'review',
      summary: 'Approve an identity into a policy change: a new (unpublished) policy version with an allow rule for its sha256',
      status: 201,
      body: Body({ identity: Identity, policy: Id, note: Type.Optional(Type.String({ maxLength: 4000 })) }),
      handler: async ({ body, principal }) => {
        if (!SHA256.test(body.identity))
          throw badRequest(
            'body/identity',
            'only an identity with a sha256 can be approved into policy (a path alone is too weak)',
          );
        await requireSeen(body.identity);
        const base = await latestPolicy(ctx, body.policy);
        const doc = structuredClone(base.document) as { rules: { id: string }[] };
        const ruleId = `review-allow-${body.identity.slice(0, 16)}`;
        if (doc.rules.some((r) => r.id === ruleId)) throw conflict(`policy ${body.policy} already has rule ${ruleId}`);
        doc.rules.push({
          id: ruleId,
          action: 'allow',
          description: `approved from the review queue by ${principal.subject}${body.note ? `: ${body.note}` : ''}`,
          match: { program: { sha256: [body.identity] } },
        } as { id: string });
        const v = await addPolicyVersion(ctx, principal.subject, doc, `review: allow ${body.identity}`);
        await triage(body.identity, 'approved', body.note ?? `policy ${v.name} v${v.version}`, principal.subject);
        return { policy: v.name, version: v.version, ruleId };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/review/request-exception',
      roles: ['analyst', 'admin'],
      tag: 'review',
      summary: 'Request an exception for an identity on the hosts it was seen on (needs approval by a different approver)',
      status: 201,
      body: Body({
        identity: Identity,
        ticket: Type.String({ minLength: 1, maxLength: 200 }),
        reason: Type.String({ minLength: 1, maxLength: 4000 }),
        expires: Type.Optional(Time),
        hosts: Type.Optional(Type.Array(Id, { minItems: 1 })),
      }),
      handler: async ({ body, principal }) => {
        if (!SHA256.test(body.identity)) throw badRequest('body/identity', 'only an identity with a sha256 can be excepted');
        const groups = await store.reviewQueue({ limit: 1000 });
        const g = groups.find((x) => x.identity === body.identity);
        const hosts = body.hosts ?? g?.hosts;
        if (!hosts || hosts.length === 0) throw badRequest('body/identity', 'not in the review queue; name the hosts');
        const x = await createException(ctx, principal.subject, {
          scope: { hosts },
          match: { program: { sha256: [body.identity] } },
          ticket: body.ticket,
          reason: body.reason,
          ...(body.expires ? { expires: body.expires } : {}),
        });
        await triage(body.identity, 'exception-requested', `exception ${x.id}`, principal.subject);
        return x;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/review/mark-malicious',
      roles: ['analyst', 'admin'],
      tag: 'review',
      summary: 'Mark an identity malicious (its denies are expected; they do not block promotion)',
      body: Body({ identity: Identity, note: Type.Optional(Type.String({ maxLength: 4000 })) }),
      handler: async ({ body, principal }) => {
        await requireSeen(body.identity);
        await triage(body.identity, 'malicious', body.note ?? null, principal.subject);
        return store.getTriage(body.identity);
      },
    }),
  ];
}
