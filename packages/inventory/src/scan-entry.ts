/**
 * What `execguard scan` needs, without the rest of the package (baselines, PE and DER parsers are
 * loaded by the hashing threads, not by the scanning process): `@execguard/inventory/scan`.
 */
export { InventoryFormatError, loadPrevious, PreviousFile, type PreviousInventory } from './previous.js';
export { type ScanOptions, type ScanProgress, ScanRootError, scan } from './scan.js';
export { lineBlocks, ScanOutputError, type ScanToFileOptions, scanToFile } from './scan-file.js';
export type { InventoryRecord, SummaryRecord, VerifyPackages } from './types.js';
