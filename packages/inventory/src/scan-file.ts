import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { type ScanOptions, scan } from './scan.js';
import type { SummaryRecord } from './types.js';

/** Lines to `fd` in blocks of about 1 MiB: memory stays flat however large the tree is, and few system calls. */
export function lineBlocks(fd: number): { readonly line: (line: string) => void; readonly flush: () => void } {
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length > 0) writeSync(fd, `${pending.join('\n')}\n`);
    pending = [];
    size = 0;
  };
  return {
    line(line) {
      pending.push(line);
      size += line.length;
      if (size >= 1 << 20) flush();
    },
    flush,
  };
}

/** The output file of scanToFile cannot be written (nothing was scanned). */
export class ScanOutputError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: cannot write (${reason})`);
    this.name = 'ScanOutputError';
  }
}

export interface ScanToFileOptions extends Omit<ScanOptions, 'write' | 'writeLine'> {
  /** Permissions of a new file (default 0o666, less the umask). */
  readonly mode?: number;
  /** Also receives every line written. */
  readonly onLine?: (line: string) => void;
}

/**
 * scan() into the file `out` through a temporary file beside it, which replaces `out` only once the
 * inventory is complete: a scan that fails leaves the previous inventory as it was.
 */
export async function scanToFile(out: string, options: ScanToFileOptions): Promise<SummaryRecord> {
  const { mode = 0o666, onLine, ...scanOptions } = options;
  const temp = `${out}.tmp-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(temp, 'w', mode);
  } catch (e) {
    throw new ScanOutputError(out, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  const blocks = lineBlocks(fd);
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  try {
    const summary = await scan({
      ...scanOptions,
      writeLine: onLine
        ? (line) => {
            blocks.line(line);
            onLine(line);
          }
        : blocks.line,
    });
    blocks.flush();
    close();
    renameSync(temp, out);
    return summary;
  } catch (e) {
    close();
    rmSync(temp, { force: true });
    throw e;
  }
}
