import { type Exception, Match, POLICY_API_VERSION, Selector, validatePolicy } from '@execguard/schema';
import type { ExceptionRecord } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../context.js';
import { DAY, HOUR } from '../context.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { defineRoute } from '../route.js';
import { Body, IdParams, iso, Query, Time } from '../schemas.js';
import { newId } from '../secrets.js';
import { READ } from './hosts.js';

/** The approver field of an emergency exception nobody has approved yet (the policy language requires one). */
export const EMERGENCY_PENDING = 'emergency-pending-approval';

export function exceptionView(x: ExceptionRecord) {
  return {
    ...x,
    createdAt: iso(x.createdAt),
    approvedAt: iso(x.approvedAt),
    notBefore: iso(x.notBefore),
    expires: iso(x.expires),
    approveBy: iso(x.approveBy),
    closedAt: iso(x.closedAt),
  };
}

/** The exception as the policy language has it (what goes into the signed bundle). */
export function toPolicyException(x: ExceptionRecord): Exception {
  return {
    id: x.id,
    scope: x.scope as Exception['scope'],
    match: x.match as Exception['match'],
    requester: x.requester,
    approver: x.approver ?? EMERGENCY_PENDING,
    ticket: x.ticket,
    reason: x.reason,
    expires: new Date(x.expires).toISOString(),
    ...(x.notBefore !== null ? { notBefore: new Date(x.notBefore).toISOString() } : {}),
  };
}

export interface ExceptionInput {
  readonly scope: unknown;
  readonly match: unknown;
  readonly ticket: string;
  readonly reason: string;
  readonly expires?: string;
  readonly notBefore?: string;
  readonly emergency?: boolean;
}

/** Creates an exception request (or an active emergency exception) after the policy language's own checks. */
export async function createException(
  ctx: Ctx,
  requester: string,
  input: ExceptionInput,
): Promise<ReturnType<typeof exceptionView>> {
  const now = ctx.now();
  const expires = input.expires ? Date.parse(input.expires) : now + ctx.limits.exceptionDays * DAY;
  const notBefore = input.notBefore ? Date.parse(input.notBefore) : null;
  if (expires <= now) throw badRequest('body/expires', 'must be in the future');
  if (expires > now + ctx.limits.maxExceptionDays * DAY)
    throw badRequest('body/expires', `at most ${ctx.limits.maxExceptionDays} days ahead`);
  if (notBefore !== null && notBefore >= expires) throw badRequest('body/notBefore', 'must be before expires');
  const record: ExceptionRecord = {
    id: newId('exc'),
    status: input.emergency ? 'active' : 'requested',
    emergency: input.emergency === true,
    scope: input.scope,
    match: input.match,
    ticket: input.ticket,
    reason: input.reason,
    requester,
    approver: null,
    createdAt: now,
    approvedAt: null,
    notBefore,
    expires,
    approveBy: input.emergency ? now + ctx.limits.emergencyHours * HOUR : null,
    closedAt: null,
    closedBy: null,
    closeReason: null,
  };
  // The same checks a policy file gets (identity strength, regexes, scope not empty), reported on the request's fields.
  const issues = validatePolicy({
    apiVersion: POLICY_API_VERSION,
    kind: 'Policy',
    metadata: { name: 'exception-check', version: 1 },
    defaults: { mode: 'audit', failMode: 'open' },
    rules: [],
    exceptions: [toPolicyException(record)],
  });
  if (issues.length > 0) {
    const i = issues[0]!;
    throw badRequest(`body${i.path.replace(/^\/exceptions\/0/, '')}`, i.message);
  }
  await ctx.store.createException(record);
  await ctx.audit({
    actor: requester,
    action: input.emergency ? 'exception.emergency' : 'exception.request',
    target: record.id,
    data: toPolicyException(record),
  });
  if (input.emergency) await ctx.republish(requester, `emergency exception ${record.id}`);
  return exceptionView(record);
}

/** Expires exceptions past their expiry, and emergency exceptions not approved in time. Returns how many changed. */
export async function sweepExceptions(ctx: Ctx): Promise<number> {
  const now = ctx.now();
  let changed = 0;
  for (const x of await ctx.store.listExceptions(['active', 'requested'])) {
    const lapsed = x.emergency && x.approver === null && x.approveBy !== null && x.approveBy <= now;
    if (x.expires > now && !lapsed) continue;
    const reason = lapsed ? `emergency exception not approved within ${ctx.limits.emergencyHours} h` : 'expired';
    const t = await ctx.store.transitionException(x.id, {
      from: [x.status],
      to: 'expired',
      closedAt: now,
      closedBy: 'system',
      closeReason: reason,
    });
    if (t) {
      changed++;
      await ctx.audit({ actor: 'system', action: 'exception.expire', target: x.id, data: { reason } });
    }
  }
  if (changed > 0) await ctx.republish('system', `${changed} exception(s) expired`);
  return changed;
}

export function exceptionRoutes(ctx: Ctx) {
  const { store } = ctx;
  const get = async (id: string) => {
    await sweepExceptions(ctx);
    const x = await store.getException(id);
    if (!x) throw notFound(`exception ${id}`);
    return x;
  };
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/exceptions',
      roles: ['analyst', 'admin'],
      tag: 'exceptions',
      summary:
        'Request an exception (scope × match, ticket, reason, expiry: default 90 days). emergency: active at once, lapses unless a different approver approves it within 24 h',
      status: 201,
      body: Body({
        scope: Selector,
        match: Match,
        ticket: Type.String({ minLength: 1, maxLength: 200 }),
        reason: Type.String({ minLength: 1, maxLength: 4000 }),
        expires: Type.Optional(Time),
        notBefore: Type.Optional(Time),
        emergency: Type.Optional(Type.Boolean()),
      }),
      handler: async ({ body, principal }) => createException(ctx, principal.subject, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/exceptions',
      roles: READ,
      tag: 'exceptions',
      summary: 'List exceptions',
      query: Query({
        status: Type.Optional(Type.String({ description: 'requested, active, rejected, revoked, expired; comma-separated' })),
      }),
      handler: async ({ query }) => {
        await sweepExceptions(ctx);
        const status = query.status?.split(',').filter(Boolean);
        for (const s of status ?? [])
          if (!['requested', 'active', 'rejected', 'revoked', 'expired'].includes(s))
            throw badRequest('querystring/status', `unknown status "${s}"`);
        return { exceptions: (await store.listExceptions(status as ExceptionRecord['status'][] | undefined)).map(exceptionView) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/exceptions/:id',
      roles: READ,
      tag: 'exceptions',
      summary: 'One exception',
      params: IdParams,
      handler: async ({ params }) => exceptionView(await get(params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/exceptions/:id/approve',
      roles: ['approver'],
      tag: 'exceptions',
      summary: 'Approve a requested exception, or an emergency exception after the fact (never one’s own)',
      params: IdParams,
      handler: async ({ params, principal }) => {
        const x = await get(params.id);
        if (x.requester.toLowerCase() === principal.subject.toLowerCase())
          throw forbidden('a requester cannot approve their own exception');
        const pendingEmergency = x.status === 'active' && x.emergency && x.approver === null;
        if (x.status !== 'requested' && !pendingEmergency)
          throw conflict(`exception ${x.id} is ${x.status}${x.approver ? ` (approved by ${x.approver})` : ''}`);
        const now = ctx.now();
        const t = await store.transitionException(x.id, {
          from: [x.status],
          to: 'active',
          approver: principal.subject,
          approvedAt: now,
        });
        if (!t) throw conflict(`exception ${x.id} changed meanwhile`);
        await ctx.audit({
          actor: principal.subject,
          action: 'exception.approve',
          target: x.id,
          data: { requester: x.requester, emergency: x.emergency },
        });
        await ctx.republish(principal.subject, `exception ${x.id} approved`);
        return exceptionView(t);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/exceptions/:id/reject',
      roles: ['approver'],
      tag: 'exceptions',
      summary: 'Reject a requested exception',
      params: IdParams,
      body: Body({ reason: Type.String({ minLength: 1, maxLength: 4000 }) }),
      handler: async ({ params, body, principal }) => {
        const x = await get(params.id);
        const t = await store.transitionException(x.id, {
          from: ['requested'],
          to: 'rejected',
          closedAt: ctx.now(),
          closedBy: principal.subject,
          closeReason: body.reason,
        });
        if (!t) throw conflict(`exception ${x.id} is ${x.status}`);
        await ctx.audit({ actor: principal.subject, action: 'exception.reject', target: x.id, data: { reason: body.reason } });
        return exceptionView(t);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/exceptions/:id/revoke',
      roles: ['approver', 'admin'],
      tag: 'exceptions',
      summary: 'Revoke a requested or active exception',
      params: IdParams,
      body: Body({ reason: Type.String({ minLength: 1, maxLength: 4000 }) }),
      handler: async ({ params, body, principal }) => {
        const x = await get(params.id);
        const t = await store.transitionException(x.id, {
          from: ['requested', 'active'],
          to: 'revoked',
          closedAt: ctx.now(),
          closedBy: principal.subject,
          closeReason: body.reason,
        });
        if (!t) throw conflict(`exception ${x.id} is ${x.status}`);
        await ctx.audit({ actor: principal.subject, action: 'exception.revoke', target: x.id, data: { reason: body.reason } });
        if (x.status === 'active') await ctx.republish(principal.subject, `exception ${x.id} revoked`);
        return exceptionView(t);
      },
    }),
  ];
}
