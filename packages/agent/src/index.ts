export { encodeFacts } from './facts-codec.js';
export {
  type EnforcerStats,
  type NativeCore,
  type NativeDecision,
  type NativeRecord,
  nativeAvailable,
  nativeCore,
  type StartOptions,
} from './native.js';
export { buildTable, type HostView, type TableInfo, type TableOptions } from './table.js';
