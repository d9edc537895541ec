export type { CompiledPolicy, CompileOptions, DecideContext } from './api.js';
export { behaviourOfName, type NameBehaviour } from './catalogue.js';
export { compile, selectorMatches } from './compile.js';
export { decide } from './decide.js';
export { canonicalJson, policyDigest } from './digest.js';
export { checkExpectation } from './expectation.js';
export { globToRegExp } from './glob.js';
export {
  type InitBaseline,
  type InitEntry,
  type InitOptions,
  type InitResult,
  initPolicy,
  ROLES,
  type Role,
} from './init/index.js';
export { type InventoryFacts, type LintContext, lintPolicy, type PostureFacts, toSarif } from './lint/index.js';
