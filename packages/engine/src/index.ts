export type { CompiledPolicy, CompileOptions, DecideContext } from './api.js';
export { compile } from './compile.js';
export { decide } from './decide.js';
export { canonicalJson, policyDigest } from './digest.js';
export { checkExpectation } from './expectation.js';
export { globToRegExp } from './glob.js';
export { lintPolicy, toSarif, type LintContext } from './lint/index.js';
