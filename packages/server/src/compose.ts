import { type Policy, type Scope, validatePolicy } from '@execguard/schema';
import type { Group, Mode } from '@execguard/store';
import type { Ctx } from './context.js';
import { HttpError } from './errors.js';
import { toPolicyException } from './routes/exceptions.js';
import { toPolicyWindow } from './routes/windows.js';
import { GROUP_LABEL } from './schemas.js';

/**
 * The policy agents receive: the published version plus what the server governs — one scope per
 * group carrying the group's mode (placed first: the first matching scope decides), the active
 * exceptions and the open maintenance windows. Validated as a whole before it is signed.
 */
export async function composePolicy(ctx: Ctx, base: Policy, modeOverride?: { group: string; mode: Mode }): Promise<Policy> {
  const now = ctx.now();
  const groups: Group[] = await ctx.store.listGroups();
  const groupScopes: Scope[] = groups.map((g) => ({
    id: `group.${g.name}`,
    selector: { labels: { [GROUP_LABEL]: g.name } },
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
