/** Test support: locations of fixtures and shared data, resolved from the compiled file (dist/sources/evtx/). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the directory holding packages/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
/** Fixtures are read from the source tree so that dist/ needs no copy of them. */
export const FIXTURES_DIR = join(REPO_ROOT, 'packages', 'telemetry', 'src', 'sources', 'evtx', 'fixtures');
export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');
export const SIGMA_REGRESSION = join(SHARED_DATA, 'sigma', 'regression_data');
export const MITRE_EVTX = join(SHARED_DATA, 'telemetry', 'windows', 'evtx-to-mitre-attack');

export function exists(p: string): boolean {
  return existsSync(p);
}
