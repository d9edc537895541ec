import { type Static, Type } from '@sinclair/typebox';
import { FailMode, Mode, ObjectId, StringEnum, TechniqueId, Timestamp } from './common.js';
import { Identity, Selector } from './identity.js';

const NonEmpty = Type.String({ minLength: 1 });

export const ArgsCondition = Type.Object(
  {
    any: Type.Optional(Type.Array(NonEmpty, { minItems: 1, description: 'At least one regex must match' })),
    all: Type.Optional(Type.Array(NonEmpty, { minItems: 1, description: 'Every regex must match' })),
    none: Type.Optional(Type.Array(NonEmpty, { minItems: 1, description: 'No regex may match' })),
    caseSensitive: Type.Optional(Type.Boolean({ default: false })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description:
      'Regular expressions (JavaScript syntax) matched against the arguments after the program, joined by single spaces',
  },
);
export type ArgsCondition = Static<typeof ArgsCondition>;

export const UserCondition = Type.Object(
  {
    names: Type.Optional(Type.Array(NonEmpty, { minItems: 1 })),
    ids: Type.Optional(Type.Array(NonEmpty, { minItems: 1 })),
    groups: Type.Optional(Type.Array(NonEmpty, { minItems: 1 })),
  },
  { additionalProperties: false, minProperties: 1, description: 'The user running the program (any listed name, id or group)' },
);
export type UserCondition = Static<typeof UserCondition>;

/** Conditions of a rule or exception; every key present must hold. */
export const Match = Type.Object(
  {
    program: Type.Optional(Identity),
    args: Type.Optional(ArgsCondition),
    script: Type.Optional(Identity),
    inlineCode: Type.Optional(
      Type.Boolean({ description: 'The interpreter was given code on its command line (-c, -e, -Command …)' }),
    ),
    stdinScript: Type.Optional(Type.Boolean({ description: 'The interpreter reads its script from a pipe or file on stdin' })),
    parent: Type.Optional(Identity),
    ancestor: Type.Optional(Identity),
    user: Type.Optional(UserCondition),
    proxyUse: Type.Optional(
      Type.Boolean({ description: 'The program is a catalogued proxy binary invoked with one of its proxy argument patterns' }),
    ),
    masquerade: Type.Optional(
      Type.Boolean({
        description: 'The program shows masquerading: renamed (OriginalFileName differs) or a system name outside its directory',
      }),
    ),
    userWritableLocation: Type.Optional(
      Type.Boolean({ description: 'The program runs from a user-writable, temporary, download or removable-media location' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type Match = Static<typeof Match>;

export const Rule = Type.Object(
  {
    id: ObjectId,
    action: StringEnum(['allow', 'deny'] as const),
    description: Type.Optional(Type.String()),
    techniques: Type.Optional(Type.Array(TechniqueId, { description: 'Techniques this rule addresses' })),
    appliesTo: Type.Optional(Selector),
    match: Match,
  },
  { additionalProperties: false },
);
export type Rule = Static<typeof Rule>;

export const Scope = Type.Object(
  {
    id: ObjectId,
    selector: Selector,
    mode: Mode,
    failMode: Type.Optional(FailMode),
    auditUntil: Type.Optional(Timestamp),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Scope = Static<typeof Scope>;

export const NeverBlock = Type.Object(
  {
    id: ObjectId,
    program: Identity,
    reason: NonEmpty,
    appliesTo: Type.Optional(Selector),
  },
  { additionalProperties: false, description: 'Critical control process: a deny is recorded as would-deny, never enforced' },
);
export type NeverBlock = Static<typeof NeverBlock>;

export const Exception = Type.Object(
  {
    id: ObjectId,
    scope: Selector,
    match: Match,
    requester: NonEmpty,
    approver: NonEmpty,
    ticket: NonEmpty,
    reason: NonEmpty,
    expires: Timestamp,
    notBefore: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type Exception = Static<typeof Exception>;

export const Relaxation = Type.Object(
  {
    defaultDeny: Type.Optional(
      Type.Boolean({ description: 'Programs denied only by default-deny are allowed (e.g. installing updates)' }),
    ),
    enforcement: Type.Optional(Type.Boolean({ description: 'Denies in enforce mode are recorded as would-deny' })),
    rules: Type.Optional(Type.Array(ObjectId, { minItems: 1, description: 'Deny rules that do not apply during the window' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type Relaxation = Static<typeof Relaxation>;

export const MaintenanceWindow = Type.Object(
  {
    id: ObjectId,
    ticket: NonEmpty,
    scope: Selector,
    start: Timestamp,
    end: Timestamp,
    relax: Relaxation,
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

export const NonOverridable = Type.Object(
  {
    loaderInvocation: Type.Optional(Type.Literal(true)),
    memfdExec: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, description: 'Always on; present only to document intent. Cannot be turned off.' },
);

export const HostContext = Type.Object(
  {
    id: NonEmpty,
    name: Type.Optional(Type.String()),
    role: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
export type HostContext = Static<typeof HostContext>;

export const Expectation = Type.Object(
  {
    verdict: Type.Optional(StringEnum(['allow', 'deny'] as const)),
    effect: Type.Optional(StringEnum(['allowed', 'denied', 'would-deny'] as const)),
    ruleId: Type.Optional(Type.String()),
    decidedBy: Type.Optional(
      StringEnum(['non-overridable', 'exception', 'deny-rule', 'maintenance-window', 'allow-rule', 'default-deny'] as const),
    ),
    exceptionId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    windowId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    neverBlockId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    techniques: Type.Optional(Type.Array(TechniqueId)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type Expectation = Static<typeof Expectation>;

export const PolicyTest = Type.Object(
  {
    name: NonEmpty,
    now: Type.Optional(Timestamp),
    host: Type.Optional(HostContext),
    event: Type.Record(Type.String(), Type.Unknown(), { description: 'An ExecEvent (ECS field names)' }),
    expect: Expectation,
  },
  { additionalProperties: false },
);
export type PolicyTest = Static<typeof PolicyTest>;

export const POLICY_API_VERSION = 'execguard.io/v1';

export const Policy = Type.Object(
  {
    apiVersion: Type.Literal(POLICY_API_VERSION),
    kind: Type.Literal('Policy'),
    metadata: Type.Object(
      {
        name: ObjectId,
        version: Type.Integer({ minimum: 1, description: 'Monotonic policy version' }),
        description: Type.Optional(Type.String()),
        owner: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    defaults: Type.Object(
      { mode: Mode, failMode: FailMode, auditUntil: Type.Optional(Timestamp) },
      { additionalProperties: false },
    ),
    scopes: Type.Optional(Type.Array(Scope)),
    nonOverridable: Type.Optional(NonOverridable),
    neverBlock: Type.Optional(Type.Array(NeverBlock)),
    rules: Type.Array(Rule),
    exceptions: Type.Optional(Type.Array(Exception)),
    maintenanceWindows: Type.Optional(Type.Array(MaintenanceWindow)),
    tests: Type.Optional(Type.Array(PolicyTest)),
  },
  { additionalProperties: false, $id: 'https://execguard.io/schema/policy-v1.json', title: 'ExecGuard policy v1' },
);
export type Policy = Static<typeof Policy>;
