import { type Policy, type Scope, validatePolicy } from '@execguard/schema';
import type { Group, Mode } from '@execguard/store';
import type { Ctx } from './context.js';
import { HttpError } from './errors.js';
import { toPolicyException } from './routes/exceptions.js';
import { toPolicyWindow } from './routes/windows.js';

/**
 * The policy agents receive: the published version plus what the server governs — one scope per
 * group carrying the group's mode (placed first: the first matching scope decides), the active
 * exceptions and the open maintenance windows. Validated as a whole before it is signed.
 * A group scope selects its member hosts by id, inside the signed policy: the mode a host runs in
 * never depends on unsigned data (such as the host labels served beside the bundle).
 */
export async function composePolicy(ctx: Ctx, base: Policy, modeOverride?: { group: string; mode: Mode }): Promise<Policy> {
  const now = ctx.now();
  const groups: Group[] = await ctx.store.listGroups();
  const members = new Map<string, string[]>();
  for (const h of await ctx.store.listHosts()) if (h.group) members.set(h.group, [...(members.get(h.group) ?? []), h.id]);
  // A selector needs at least one host: a group without members has no scope yet.
  const groupScopes: Scope[] = groups
    .filter((g) => members.has(g.name))
    .map((g) => ({
      id: `group.${g.name}`,
      selector: { hosts: members.get(g.name)! },
      mode: modeOverride?.group === g.name ? modeOverride.mode : g.mode,
      ...(g.mode === 'audit' && g.auditUntil !== null ? { auditUntil: new Date(g.auditUntil).toISOString() } : {}),
      description: g.description ?? `group ${g.name} (server-managed)`,
    }));
  const exceptions = (await ctx.store.listExceptions(['active'])).filter((x) => x.expires > now).map(toPolicyException);
  const windows = (await ctx.store.listWindows()).filter((w) => w.revokedAt === null && w.end > now).map(toPolicyWindow);
  const own = new Set(groupScopes.map((s) => s.id));
  const policy: Policy = {
    ...base,
    scopes: [...groupScopes, ...(base.scopes ?? []).filter((s) => !own.has(s.id))],
    exceptions: [...(base.exceptions ?? []), ...exceptions],
    maintenanceWindows: [...(base.maintenanceWindows ?? []), ...windows],
  };
  // Tests stay with the policy file; agents do not need them.
  delete (policy as { tests?: unknown }).tests;
  const issues = validatePolicy(policy);
  if (issues.length > 0)
    throw new HttpError(
      409,
      'conflict',
      `the composed bundle policy is invalid: ${issues.map((i) => `${i.path}: ${i.message} [${i.code}]`).join('; ')}`,
    );
  return policy;
}
