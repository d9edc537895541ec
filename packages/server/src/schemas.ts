import { type TSchema, Type } from '@sinclair/typebox';

/** Host ids, group names and other ids that appear in URLs and logs. */
export const Id = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
  description: 'letters, digits, . _ : - (max 128)',
});
export const Labels = Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.String({ maxLength: 256 }), {
  description: 'Host labels, matched by policy selectors',
});
export const Mode = Type.Union([Type.Literal('learn'), Type.Literal('audit'), Type.Literal('enforce')]);
export const RoleName = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('analyst'),
  Type.Literal('approver'),
  Type.Literal('admin'),
]);
export const Time = Type.String({ format: 'date-time', description: 'RFC 3339 time with zone' });
export const Sha256 = Type.String({ pattern: '^[0-9a-fA-F]{64}$' });

export const HostParams = Type.Object({ hostId: Id }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export const NameParams = Type.Object({ name: Id }, { additionalProperties: false });

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

/** Request bodies reject unknown keys: a typo is an error, not a silently ignored field. */
export const Body = <T extends Record<string, TSchema>>(props: T, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

export const Query = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });

export const Ok = Type.Object({ ok: Type.Boolean() });

/** Label every host gets from its group, so policy scopes can select groups. */
export const GROUP_LABEL = 'execguard.group';

export const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
export const parseTime = (s: string) => Date.parse(s);
