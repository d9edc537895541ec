import { type Policy, validatePolicy } from '@execguard/schema';
import { UNDECIDED } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import { composePolicy } from '../compose.js';
import type { Ctx } from '../context.js';
import { badRequest, conflict, HttpError, notFound } from '../errors.js';
import { replay } from '../replay.js';
import { defineRoute } from '../route.js';
import { Body, Id, iso, NameParams, Time } from '../schemas.js';
import { getVersion, publishedPolicy } from './policies.js';

const hitView = <T extends { firstSeen: number; lastSeen: number }>(h: T) => ({
  ...h,
  firstSeen: iso(h.firstSeen),
  lastSeen: iso(h.lastSeen),
});

export function replayRoutes(ctx: Ctx) {
  const { store } = ctx;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/replay',
      roles: ['analyst', 'admin'],
      tag: 'replay',
      summary:
        'Evaluate a candidate policy (a stored version or a document) against stored events: what would newly be denied, per host and identity',
      body: Body({
        policy: Type.Optional(Type.Object({ name: Id, version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })),
        document: Type.Optional(Type.Object({}, { additionalProperties: true })),
        hosts: Type.Optional(Type.Array(Id, { minItems: 1 })),
        group: Type.Optional(Id),
        since: Type.Optional(Time),
        until: Type.Optional(Time),
        maxEvents: Type.Optional(Type.Integer({ minimum: 1, maximum: 5_000_000 })),
      }),
      handler: async ({ body }) => {
        if ((body.policy === undefined) === (body.document === undefined))
          throw badRequest('body', 'give exactly one of policy or document');
        const candidateDoc = body.policy
          ? (await getVersion(ctx, body.policy.name, body.policy.version)).document
          : body.document;
        const issues = validatePolicy(candidateDoc);
        if (issues.length > 0) throw badRequest(`body/document${issues[0]!.path}`, `${issues[0]!.message} [${issues[0]!.code}]`);
        let hostIds = body.hosts;
        if (body.group) {
          const inGroup = (await store.listHosts({ group: body.group })).map((h) => h.id);
          hostIds = hostIds ? hostIds.filter((h) => inGroup.includes(h)) : inGroup;
        }
        const published = await publishedPolicy(ctx);
        const candidate = await composePolicy(ctx, candidateDoc as Policy);
        const baseline = published ? await composePolicy(ctx, published.document as Policy) : null;
        const r = await replay(
          ctx,
          candidate,
          {
            ...(hostIds ? { hostIds } : {}),
            ...(body.since ? { since: Date.parse(body.since) } : {}),
            ...(body.until ? { until: Date.parse(body.until) } : {}),
          },
          baseline,
          body.maxEvents,
        );
        return {
          scanned: r.scanned,
          denied: r.denied,
          newlyAllowed: r.newlyAllowed,
          truncated: r.truncated,
          newlyDenied: r.newlyDenied.map(hitView),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/groups/:name/promote',
      roles: ['admin'],
      tag: 'hosts',
      summary:
        'Promote a group from audit to enforce. Gates: audit period elapsed; no undecided would-deny events on its hosts; replay of the published policy in enforce mode denies nothing but identities triaged malicious or dismissed',
      params: NameParams,
      handler: async ({ params, principal }) => {
        const g = await store.getGroup(params.name);
        if (!g) throw notFound(`group ${params.name}`);
        if (g.mode !== 'audit') throw conflict(`group ${g.name} is in ${g.mode} mode; only audit can be promoted to enforce`);
        const published = await publishedPolicy(ctx);
        if (!published) throw conflict('no policy has been published');
        const now = ctx.now();
        const hostIds = (await store.listHosts({ group: g.name })).map((h) => h.id);
        const gates: { gate: string; passed: boolean; detail: string }[] = [];
        const until = g.auditUntil ?? g.modeSince;
        gates.push({ gate: 'audit-period', passed: now >= until, detail: `audit period ends ${iso(until)}` });
        const undecided = await store.reviewQueue({ hostIds, effects: ['would-deny'], states: [...UNDECIDED], limit: 50 });
        gates.push({
          gate: 'no-undecided-would-deny',
          passed: undecided.length === 0,
          detail:
            undecided.length === 0
              ? 'every would-deny identity is triaged'
              : `undecided: ${undecided.map((u) => u.identity).join(', ')}`,
        });
        const candidate = await composePolicy(ctx, published.document as Policy, { group: g.name, mode: 'enforce' });
        const r = await replay(ctx, candidate, { hostIds, since: g.modeSince }, null);
        const accepted = new Set<string>();
        for (const h of r.deniedHits) {
          const t = await store.getTriage(h.identity);
          if (t && (t.state === 'malicious' || t.state === 'dismissed')) accepted.add(h.identity);
        }
        const blocking = r.deniedHits.filter((h) => h.effects.includes('denied') && !accepted.has(h.identity));
        gates.push({
          gate: 'clean-replay',
          passed: blocking.length === 0,
          detail: `${r.scanned} events replayed in enforce mode; ${blocking.length} host/identity pairs would be blocked that are not triaged malicious or dismissed`,
        });
        if (gates.some((x) => !x.passed)) {
          const e = new HttpError(
            409,
            'promotion_blocked',
            `group ${g.name} cannot be promoted: ${gates
              .filter((x) => !x.passed)
              .map((x) => x.gate)
              .join(', ')}`,
          );
          throw Object.assign(e, { gates, blocking: blocking.slice(0, 50).map(hitView) });
        }
        await store.putGroup({ ...g, mode: 'enforce', modeSince: now, auditUntil: null });
        await ctx.audit({
          actor: principal.subject,
          action: 'group.promote',
          target: g.name,
          data: { from: 'audit', to: 'enforce', gates },
        });
        await ctx.republish(principal.subject, `group ${g.name} promoted to enforce`);
        return { group: g.name, mode: 'enforce', gates };
      },
    }),
  ];
}
