export { argumentString } from './arguments.js';
export * from './catalogue.js';
export * from './common.js';
export type { DecidedBy, Decision, Effect, PolicyRef, Reason, TraceStep, Verdict } from './decision.js';
export * from './event.js';
export * from './finding.js';
export * from './identity.js';
export * from './issues.js';
export { policyJsonSchema } from './json-schema.js';
export * from './policy.js';
export {
  assertPolicy,
  type Locate,
  type ParseResult,
  parsePolicyText,
  validateEvent,
  validateHosts,
  validatePolicy,
} from './validate.js';
