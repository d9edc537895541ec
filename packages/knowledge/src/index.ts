/**
 * @execguard/knowledge — what ExecGuard knows about programs (interpreters, proxy binaries, system
 * binary locations, dynamic loaders, user-writable places) and the ATT&CK for ICS techniques that
 * M0938 Execution Prevention mitigates. The engine receives `defaultCatalogue` at compile time.
 */
export { defaultCatalogue, proxyBinaries } from './catalogue.js';
export type { IcsTechnique, IcsTechniqueId } from './ics.js';
export { ics, isTechniqueId, mitigation, techniqueIds, techniqueName, techniques } from './ics.js';
export { interpreters } from './interpreters.js';
export { loaderPatterns } from './loaders.js';
export { userWritableLocations } from './locations.js';
export { linuxProxies } from './proxies/linux.js';
export { windowsProxies } from './proxies/windows.js';
export { systemBinaries } from './system-binaries.js';
