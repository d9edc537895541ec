import { type Static, type TUnsafe, Type } from '@sinclair/typebox';

/** A string enum emitted as JSON Schema `enum` (clear editor completion and one clear error). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** ATT&CK for ICS technique id, e.g. T0894. Enterprise ids (T1xxx) are rejected on purpose. */
export const TechniqueId = Type.String({
  pattern: '^T0[0-9]{3}$',
  description: 'ATT&CK for ICS technique id, e.g. T0894',
});
export type TechniqueId = Static<typeof TechniqueId>;

/** Ids of rules, exceptions, windows, scopes: stable, greppable, safe in logs and URLs. */
export const ObjectId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
  description: 'Identifier: letters, digits, . _ : - (max 128), starting with a letter or digit',
});

export const Sha256 = Type.String({
  pattern: '^[0-9a-fA-F]{64}$',
  description: 'SHA-256 digest as 64 hexadecimal characters',
});

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'RFC 3339 timestamp with time zone, e.g. 2026-12-31T00:00:00Z',
});

export const Mode = StringEnum(['learn', 'audit', 'enforce'] as const, {
  description:
    'learn: record only (baseline building); audit: evaluate and record would-deny, never block; enforce: block denied executions',
});
export type Mode = Static<typeof Mode>;

export const FailMode = StringEnum(['open', 'closed'] as const, {
  description: 'What the enforcer does when it cannot reach a verdict in time: open = allow, closed = deny',
});
export type FailMode = Static<typeof FailMode>;
