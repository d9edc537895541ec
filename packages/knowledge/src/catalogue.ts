import type { Catalogue, ProxyBinarySpec } from '@execguard/schema';
import { interpreters } from './interpreters.js';
import { loaderPatterns } from './loaders.js';
import { userWritableLocations } from './locations.js';
import { linuxProxies } from './proxies/linux.js';
import { windowsProxies } from './proxies/windows.js';
import { systemBinaries } from './system-binaries.js';

export const proxyBinaries: readonly ProxyBinarySpec[] = [...windowsProxies, ...linuxProxies];

export const defaultCatalogue: Catalogue = {
  version: '2025.1',
  interpreters,
  proxies: proxyBinaries,
  systemBinaries,
  loaders: loaderPatterns,
  userWritableLocations,
};
