export { Agent, type AgentOptions, loadPolicyFile, PolicyFileError } from './agent.js';
export { CONTENT_NAME_DIRS, type ContentName, contentNames } from './content-names.js';
export { type ExplainedEvent, explainRecord, recordToEvent } from './event.js';
export { encodeFacts } from './facts-codec.js';
export { executableMounts, libcPaths, MEMFD_NOEXEC_SYSCTL, raiseMemfdNoexec } from './host-setup.js';
export { LinkError, type LinkOptions, ServerLink } from './link.js';
export {
  type EnforcerStats,
  type NativeCore,
  type NativeDecision,
  type NativeRecord,
  nativeAvailable,
  nativeCore,
  type StartOptions,
} from './native.js';
export { DEFAULT_PACKAGE_ROOTS, packageFiles } from './packages.js';
export { type RunResult, Sandbox, type SandboxOptions, type SandboxPlace, sandboxSupported } from './sandbox.js';
export {
  RUNTIME_FILE,
  type RunningAgent,
  runningAgent,
  runSelftest,
  type SelftestCase,
  type SelftestOptions,
  type SelftestReport,
} from './selftest.js';
export { Spool, type SpoolCursor, type SpoolOptions } from './spool.js';
export { buildTable, type HostView, type TableInfo, type TableOptions } from './table.js';
