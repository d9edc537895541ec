export { MIGRATIONS } from './migrations.js';
export { type OpenOptions, openStore } from './open.js';
export { applyRetention, DEFAULT_RETENTION_DAYS } from './retention.js';
export * from './types.js';
