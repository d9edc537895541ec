import { open } from 'node:fs/promises';
import type { ExecEvent } from '@execguard/schema';
import { newHostState, tagEvent } from '../detectors/index.js';
import type { HostState } from '../detectors/types.js';
import type { Malformed } from '../normalise/types.js';
import { type Container, detectContainer } from './detect.js';
import { type FormatOption, JSON_FORMATS } from './formats.js';
import {
  type ReadItem,
  readAuditd,
  readEvtx,
  readFapolicyd,
  readJson,
  readJsonBatches,
  readWdacCsv,
  readWindowsXml,
} from './readers.js';
import { IngestSummary } from './summary.js';

export type IngestItem = { readonly event: ExecEvent } | { readonly malformed: Malformed };

export interface IngestOptions {
  readonly format?: FormatOption;
  /**
   * Run the detectors on every event (threat.technique.{id,name,reason}), with one process memory per
   * host.name so a child names its parent, and count techniques in the summary. Off by default: the API
   * then only normalises (goldens, benchmarks); `execguard ingest` turns it on.
   */
  readonly detect?: boolean;
}

async function head(file: string): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function reader(file: string, container: Container, format: FormatOption): AsyncGenerator<ReadItem> {
  switch (container) {
    case 'evtx':
      return readEvtx(file);
    case 'windows-xml':
      return readWindowsXml(file);
    case 'json':
      return readJson(file, format !== 'auto' && JSON_FORMATS.has(format) ? format : undefined);
    case 'wdac-csv':
      return readWdacCsv(file);
    case 'auditd':
      return readAuditd(file);
    case 'fapolicyd':
      return readFapolicyd(file);
  }
}

function containerOf(format: FormatOption): Container | undefined {
  if (format === 'auto') return undefined;
  if (JSON_FORMATS.has(format)) return 'json';
  return format as Container;
}

/**
 * Reads files one after another, each streamed, and yields normalised events and malformed-record reports
 * in input order. Records that are well-formed but not executions (network events, logons…) are counted in
 * the summary only. Nothing throws for bad input: an unreadable or unrecognised file is one malformed item.
 */
export class IngestRun implements AsyncIterable<IngestItem> {
  readonly summary = new IngestSummary();

  constructor(
    private readonly files: readonly string[],
    private readonly options: IngestOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<IngestItem> {
    const format = this.options.format ?? 'auto';
    const hosts = new Map<string, HostState>();
    const tag = (ev: ExecEvent): ExecEvent => {
      if (!this.options.detect) return ev;
      const key = ev.host?.name ?? '';
      let state = hosts.get(key);
      if (!state) {
        state = newHostState();
        hosts.set(key, state);
      }
      return tagEvent(ev, state);
    };
    /** Counts an item in the summary; the item to yield (tagged), or undefined for a skipped record. */
    const take = (item: ReadItem): IngestItem | undefined => {
      if ('event' in item) {
        const event = tag(item.event);
        this.summary.addEvent(event);
        return event === item.event ? item : { event };
      }
      if ('malformed' in item) {
        this.summary.addMalformed(item.malformed);
        return item;
      }
      this.summary.addSkipped(item.skipped);
      return undefined;
    };
    for (const file of this.files) {
      this.summary.files++;
      let container = containerOf(format);
      try {
        if (!container) {
          const bytes = await head(file);
          container = detectContainer(bytes);
          if (!container) {
            const m = { file, line: 1, message: bytes.length === 0 ? 'empty file' : 'unrecognised format (use --format)' };
            this.summary.addMalformed(m);
            yield { malformed: m };
            continue;
          }
        }
        if (container === 'json') {
          // Batches of items, iterated synchronously: one async round trip per chunk, not per record.
          const forced = format !== 'auto' && JSON_FORMATS.has(format) ? format : undefined;
          for await (const batch of readJsonBatches(file, forced))
            for (const item of batch) {
              const out = take(item);
              if (out !== undefined) yield out;
            }
        } else
          for await (const item of reader(file, container, format)) {
            const out = take(item);
            if (out !== undefined) yield out;
          }
      } catch (e) {
        // I/O errors (ENOENT, EACCES, EISDIR): the file is reported and the run goes on.
        const code = (e as NodeJS.ErrnoException).code;
        const m = { file, message: `cannot read (${code ?? (e as Error).message})` };
        this.summary.addMalformed(m);
        yield { malformed: m };
      }
    }
  }
}

export function ingestFiles(paths: readonly string[], options: IngestOptions = {}): IngestRun {
  return new IngestRun(paths, options);
}
