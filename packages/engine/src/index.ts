export type { CompiledPolicy, CompileOptions, DecideContext } from './api.js';
