/** Telemetry: read Windows and Linux execution logs and normalise them to ExecEvent (ECS). */

export * from './detectors/index.js';
export { type Container, detectContainer, jsonFlavour } from './ingest/detect.js';
export { FORMATS, type FormatName, type FormatOption, isFormatOption } from './ingest/formats.js';
export { type IngestItem, type IngestOptions, IngestRun, ingestFiles } from './ingest/ingest.js';
export { IngestSummary } from './ingest/summary.js';
export type { Malformed, SourceLocation } from './normalise/types.js';
export { splitWindowsCommandLine } from './normalise/windows-args.js';
export * from './sources/evtx/index.js';
export { normaliseWindows } from './sources/windows/parse.js';
export type { WinRecord } from './sources/windows/record.js';
