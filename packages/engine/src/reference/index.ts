// Naive reference evaluator of spec/semantics.md and a generator of random policy/event pairs,
// for differential testing of the optimised engine.
export { canonicalJson, referenceDigest } from './digest.js';
export { type ReferenceContext, referenceDecide, resolveHost, resolveScope } from './evaluate.js';
export { type ContentKind, deriveFacts, type Facts, parseInterpreterArgs } from './facts.js';
export { type GeneratedCase, generateCase, generateCases, mulberry32, type Rng } from './generate.js';
