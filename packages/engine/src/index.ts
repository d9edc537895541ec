export type { CompiledPolicy, CompileOptions, DecideContext } from './api.js';
export { compile } from './compile.js';
export { decide } from './decide.js';
export { canonicalJson, policyDigest } from './digest.js';
export { globToRegExp } from './glob.js';
export { checkExpectation } from './expectation.js';
