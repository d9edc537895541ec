import type { Host } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../context.js';
import { DAY, HOUR } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { defineRoute } from '../route.js';
import { Body, GROUP_LABEL, HostParams, Id, iso, Labels, NameParams, Query } from '../schemas.js';
import { hashSecret, newId, newSecret } from '../secrets.js';

export const READ = ['viewer', 'analyst', 'approver', 'admin'] as const;

export function hostView(h: Host) {
  return {
    id: h.id,
    name: h.name,
    group: h.group,
    role: h.role,
    labels: h.labels,
    os: h.os,
    agent: h.agent,
    lastSeen: iso(h.lastSeen),
    policyVersionApplied: h.policyVersionApplied,
    bundleSequenceApplied: h.bundleSequenceApplied,
    createdAt: iso(h.createdAt),
  };
}

/** The host as policies see it: its group becomes a label so scopes can select it. */
export function hostContext(h: Host) {
  return {
    id: h.id,
    ...(h.name ? { name: h.name } : {}),
    ...(h.role ? { role: h.role } : {}),
    labels: { ...h.labels, ...(h.group ? { [GROUP_LABEL]: h.group } : {}) },
  };
}

export function hostRoutes(ctx: Ctx) {
  const { store } = ctx;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/enrolment-tokens',
      roles: ['admin'],
      tag: 'hosts',
      summary: 'Create a one-time enrolment token (shown once) that an agent exchanges for its own credential',
      status: 201,
      body: Body({
        group: Type.Optional(Id),
        role: Type.Optional(Id),
        labels: Type.Optional(Labels),
        ttlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, default: 24 })),
      }),
      handler: async ({ body, principal }) => {
        const now = ctx.now();
        const token = newSecret('ege');
        const id = newId('enr');
        const expiresAt = now + (body.ttlHours ?? 24) * HOUR;
        await store.createEnrolment({
          id,
          hash: hashSecret(token),
          group: body.group ?? null,
          role: body.role ?? null,
          labels: body.labels ?? {},
          createdBy: principal.subject,
          createdAt: now,
          expiresAt,
          usedAt: null,
          hostId: null,
        });
        await ctx.audit({
          actor: principal.subject,
          action: 'enrolment-token.create',
          target: id,
          data: { group: body.group ?? null, expiresAt: iso(expiresAt) },
        });
        return { id, token, expiresAt: iso(expiresAt) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/enrol',
      roles: ['enrolment'],
      tag: 'hosts',
      summary: 'Enrol a host with a one-time enrolment token; returns the agent credential for that host (shown once)',
      status: 201,
      body: Body({
        hostId: Id,
        name: Type.Optional(Type.String({ maxLength: 256 })),
        os: Type.Optional(Type.String({ maxLength: 64 })),
      }),
      handler: async ({ body, principal }) => {
        const now = ctx.now();
        const existing = await store.getHost(body.hostId);
        // A host with an agent keeps it: enrolling again under its id would hand its credential to someone else.
        if (existing?.agent) throw conflict(`host ${body.hostId} already has an enrolled agent`);
        if (!(await store.consumeEnrolment(principal.tokenId, body.hostId, now))) throw conflict('enrolment token already used');
        const e = await store.getEnrolment(principal.tokenId);
        const host = await store.upsertAgentHost(
          {
            id: body.hostId,
            name: body.name ?? existing?.name ?? null,
            os: body.os ?? existing?.os ?? null,
            group: e?.group ?? existing?.group ?? null,
            role: e?.role ?? existing?.role ?? null,
            labels: { ...(existing?.labels ?? {}), ...(e?.labels ?? {}) },
          },
          now,
        );
        const token = newSecret('egt');
        const tokenId = newId('tok');
        await store.createToken({
          id: tokenId,
          hash: hashSecret(token),
          subject: `agent:${host.id}`,
          role: 'agent',
          hostId: host.id,
          createdAt: now,
          expiresAt: null,
          revokedAt: null,
        });
        await ctx.audit({
          actor: principal.subject,
          action: 'host.enrol',
          target: host.id,
          data: { tokenId, group: host.group },
        });
        return { hostId: host.id, token, host: hostView(host) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/hosts',
      roles: READ,
      tag: 'hosts',
      summary: 'List hosts (enrolled agents and hosts seen only in uploaded logs)',
      query: Query({ group: Type.Optional(Id) }),
      handler: async ({ query }) => ({ hosts: (await store.listHosts(query.group ? { group: query.group } : {})).map(hostView) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/hosts/:hostId',
      roles: [...READ, 'agent'],
      tag: 'hosts',
      summary: 'One host (an agent: its own host only)',
      params: HostParams,
      handler: async ({ params }) => {
        const h = await store.getHost(params.hostId);
        if (!h) throw notFound(`host ${params.hostId}`);
        return hostView(h);
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/v1/hosts/:hostId',
      roles: ['admin'],
      tag: 'hosts',
      summary: 'Set a host’s group, role, labels or name',
      params: HostParams,
      body: Body({
        name: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
        group: Type.Optional(Type.Union([Id, Type.Null()])),
        role: Type.Optional(Type.Union([Id, Type.Null()])),
        labels: Type.Optional(Labels),
      }),
      handler: async ({ params, body, principal }) => {
        const before = await store.getHost(params.hostId);
        if (!before) throw notFound(`host ${params.hostId}`);
        const h = (await store.updateHost(params.hostId, body))!;
        await ctx.audit({
          actor: principal.subject,
          action: 'host.update',
          target: h.id,
          data: { before: hostContext(before), after: hostContext(h) },
        });
        if (before.group !== h.group)
          await ctx.republish(principal.subject, `host ${h.id} moved to group ${h.group ?? '(none)'}`);
        return hostView(h);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/hosts/:hostId/heartbeat',
      roles: ['agent'],
      tag: 'agent',
      summary: 'Agent check-in: last seen, and the policy version and bundle sequence it runs',
      params: HostParams,
      body: Body({
        policyVersion: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
        bundleSequence: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
      }),
      handler: async ({ params, body }) => {
        await store.touchHost(params.hostId, ctx.now(), {
          policyVersion: body.policyVersion ?? null,
          bundleSequence: body.bundleSequence ?? null,
        });
        const latest = await store.latestBundle();
        return { ok: true, latestBundleSequence: latest?.sequence ?? null };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/groups',
      roles: READ,
      tag: 'hosts',
      summary: 'Groups with their mode and audit period',
      handler: async () => ({
        groups: (await store.listGroups()).map((g) => ({ ...g, modeSince: iso(g.modeSince), auditUntil: iso(g.auditUntil) })),
      }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/groups/:name',
      roles: ['admin'],
      tag: 'hosts',
      summary: 'Create a group or set its mode (learn or audit; enforce only through promotion) and description',
      params: NameParams,
      body: Body({
        mode: Type.Union([Type.Literal('learn'), Type.Literal('audit')], {
          description: 'enforce is reached through POST /v1/groups/{name}/promote',
        }),
        auditDays: Type.Optional(
          Type.Integer({ minimum: 0, maximum: 365, description: 'Audit period before promotion (default 30 days)' }),
        ),
        description: Type.Optional(Type.String({ maxLength: 1000 })),
      }),
      handler: async ({ params, body, principal }) => {
        const now = ctx.now();
        const before = await store.getGroup(params.name);
        const sameMode = before?.mode === body.mode;
        const group = {
          name: params.name,
          mode: body.mode,
          modeSince: sameMode ? before.modeSince : now,
          auditUntil:
            body.mode === 'audit'
              ? sameMode && body.auditDays === undefined
                ? before.auditUntil
                : (sameMode ? before.modeSince : now) + (body.auditDays ?? ctx.limits.auditDays) * DAY
              : null,
          description: body.description ?? before?.description ?? null,
        };
        await store.putGroup(group);
        await ctx.audit({
          actor: principal.subject,
          action: 'group.mode',
          target: params.name,
          data: { from: before?.mode ?? null, to: body.mode, auditUntil: iso(group.auditUntil) },
        });
        await ctx.republish(principal.subject, `group ${params.name} mode ${body.mode}`);
        return { ...group, modeSince: iso(group.modeSince), auditUntil: iso(group.auditUntil) };
      },
    }),
  ];
}
