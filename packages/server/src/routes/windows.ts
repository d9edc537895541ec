import { type MaintenanceWindow, POLICY_API_VERSION, Relaxation, Selector, validatePolicy } from '@execguard/schema';
import type { WindowRecord } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../context.js';
import { DAY } from '../context.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { defineRoute } from '../route.js';
import { Body, IdParams, iso, Time } from '../schemas.js';
import { newId } from '../secrets.js';
import { READ } from './hosts.js';
import { publishedPolicy } from './policies.js';

const MAX_WINDOW_DAYS = 14;

export const windowView = (w: WindowRecord) => ({
  ...w,
  start: iso(w.start),
  end: iso(w.end),
  createdAt: iso(w.createdAt),
  revokedAt: iso(w.revokedAt),
});

export function toPolicyWindow(w: WindowRecord): MaintenanceWindow {
  return {
    id: w.id,
    ticket: w.ticket,
    scope: w.scope as MaintenanceWindow['scope'],
    start: new Date(w.start).toISOString(),
    end: new Date(w.end).toISOString(),
    relax: w.relax as MaintenanceWindow['relax'],
    ...(w.reason ? { reason: w.reason } : {}),
  };
}

export function windowRoutes(ctx: Ctx) {
  const { store } = ctx;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/windows',
      roles: ['approver', 'admin'],
      tag: 'windows',
      summary: 'Open a maintenance window: change ticket, host scope, start and end (at most 14 days), and what it relaxes',
      status: 201,
      body: Body({
        ticket: Type.String({ minLength: 1, maxLength: 200 }),
        scope: Selector,
        start: Time,
        end: Time,
        relax: Relaxation,
        reason: Type.Optional(Type.String({ maxLength: 4000 })),
      }),
      handler: async ({ body, principal }) => {
        const now = ctx.now();
        const start = Date.parse(body.start);
        const end = Date.parse(body.end);
        if (end <= start) throw badRequest('body/end', 'must be after start');
        if (end <= now) throw badRequest('body/end', 'must be in the future');
        if (end - start > MAX_WINDOW_DAYS * DAY) throw badRequest('body/end', `a window lasts at most ${MAX_WINDOW_DAYS} days`);
        const w: WindowRecord = {
          id: newId('win'),
          ticket: body.ticket,
          scope: body.scope,
          relax: body.relax,
          start,
          end,
          reason: body.reason ?? null,
          createdBy: principal.subject,
          createdAt: now,
          revokedAt: null,
          revokedBy: null,
        };
        // relax.rules must name deny rules of the published policy; the policy language checks it.
        const base = await publishedPolicy(ctx);
        const doc = base
          ? { ...(base.document as object), maintenanceWindows: [toPolicyWindow(w)] }
          : {
              apiVersion: POLICY_API_VERSION,
              kind: 'Policy',
              metadata: { name: 'window-check', version: 1 },
              defaults: { mode: 'audit', failMode: 'open' },
              rules: [],
              maintenanceWindows: [toPolicyWindow(w)],
            };
        const issues = validatePolicy(doc).filter((i) => i.path.startsWith('/maintenanceWindows/0'));
        if (issues.length > 0)
          throw badRequest(`body${issues[0]!.path.replace(/^\/maintenanceWindows\/0/, '')}`, issues[0]!.message);
        await store.createWindow(w);
        await ctx.audit({ actor: principal.subject, action: 'window.create', target: w.id, data: toPolicyWindow(w) });
        await ctx.republish(principal.subject, `window ${w.id}`);
        return windowView(w);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/windows',
      roles: READ,
      tag: 'windows',
      summary: 'List maintenance windows',
      handler: async () => ({ windows: (await store.listWindows()).map(windowView) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/windows/:id/revoke',
      roles: ['approver', 'admin'],
      tag: 'windows',
      summary: 'Close a maintenance window early',
      params: IdParams,
      handler: async ({ params, principal }) => {
        if (!(await store.getWindow(params.id))) throw notFound(`window ${params.id}`);
        const w = await store.revokeWindow(params.id, principal.subject, ctx.now());
        if (!w) throw conflict(`window ${params.id} is already revoked`);
        await ctx.audit({ actor: principal.subject, action: 'window.revoke', target: w.id });
        await ctx.republish(principal.subject, `window ${w.id} revoked`);
        return windowView(w);
      },
    }),
  ];
}
