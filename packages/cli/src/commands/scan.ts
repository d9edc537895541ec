import { existsSync } from 'node:fs';
import {
  InventoryFormatError,
  lineBlocks,
  loadPrevious,
  type PreviousInventory,
  ScanOutputError,
  type ScanProgress,
  ScanRootError,
  type SummaryRecord,
  scan,
  scanToFile,
  type VerifyPackages,
} from '@execguard/inventory/scan';
import { type Command, Option } from 'commander';
import { EXIT, UserError } from '../errors.js';

interface ScanOptions {
  out?: string;
  previous?: string;
  crossMounts?: boolean;
  json?: boolean;
  verifyPackages?: VerifyPackages;
}

async function previousFrom(o: ScanOptions): Promise<PreviousInventory | undefined> {
  if (o.previous) {
    try {
      return await loadPrevious(o.previous);
    } catch (e) {
      if (e instanceof InventoryFormatError) throw new UserError(`--previous ${e.message}`);
      throw new UserError(`--previous ${o.previous}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (o.out && existsSync(o.out)) {
    try {
      return await loadPrevious(o.out);
    } catch (e) {
      // The old output is only an optimisation: a damaged one means a full scan, not a failure.
      process.stderr.write(`execguard: ${o.out}: not reused (${(e as Error).message}); scanning everything\n`);
    }
  }
  return undefined;
}

/** A one-line progress bar on stderr, redrawn at most ten times a second. */
function progressBar(): { update: (p: ScanProgress) => void; done: () => void } {
  let last = 0;
  let drawn = false;
  const draw = (p: ScanProgress) => {
    const ratio = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const mb = (n: number) => (n / 1e6).toFixed(0);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%  ${p.filesDone}/${p.filesTotal} files  ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB `,
    );
    drawn = true;
  };
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100 && p.filesDone < p.filesTotal) return;
      last = now;
      draw(p);
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

function describeSummary(s: SummaryRecord, out: string | undefined): string {
  const types = Object.entries(s.byType)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  return [
    `scanned ${s.roots.join(', ')}: ${s.filesSeen} files seen, ${s.recorded} recorded (${types || 'none'}), ${s.symlinks} symlinks, ${s.errors} errors`,
    `hashed ${s.hashed} files (${(s.bytesHashed / 1e6).toFixed(1)} MB) on ${s.workers} workers, reused ${s.reused} unchanged; ${(s.durationMs / 1000).toFixed(2)} s`,
    `package-owned ${s.packageOwned}, md5 mismatch ${s.packageMismatch} (verify-packages ${s.verifyPackages ?? 'full'}: ${s.verifiedByMd5 ?? 0} by md5, ${s.verifiedByCtime ?? 0} by ctime, ${s.verifiedBySha256 ?? 0} by rpm's sha256); writable by non-root principals: ${s.writableByNonRoot}`,
    s.rpm,
    ...(out ? [`inventory written to ${out}`] : []),
  ].join('\n');
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('inventory executables, libraries, scripts, PE files and installers under PATHs (JSON lines)')
    .argument('<paths...>', 'files or directories to scan')
    .option('--out <file>', 'write the inventory here (default: stdout); an existing file is used as --previous')
    .option('--previous <file>', 'earlier inventory: files with the same (device, inode, size, mtime, ctime) are not read again')
    .option('--cross-mounts', 'descend into other file systems mounted below a PATH')
    .addOption(
      new Option(
        '--verify-packages <mode>',
        'compare package files with what the package manager recorded (rpm: its SHA-256, always; dpkg: its md5sums): full = MD5 of every dpkg file; changed = only dpkg files whose ctime is newer than their package installation (the rest: verifiedBy "ctime"); off = ownership only',
      )
        .choices(['full', 'changed', 'off'])
        .default('changed'),
    )
    .option('--json', 'no progress bar; print the summary record as JSON on stdout (with --out)')
    .addHelpText(
      'after',
      `
Output: JSON lines. Each line has "kind": "posture" (host: /tmp, /var/tmp, /dev/shm, vm.memfd_noexec, loaders),
"file" (path, type, size, mode, owner, times, dev/ino, sha256, elf|pe|script|installer, package, writableBy, mount),
"symlink" (target; never followed), "error" (unreadable path; the scan goes on), and last "summary".
Without --out the records go to stdout and a readable summary to stderr.
Exit codes: 0 scan complete (per-file errors are records, not failures); 2 invalid usage or a PATH that cannot be scanned.`,
    )
    .action(async (paths: string[], o: ScanOptions) => {
      const previous = await previousFrom(o);
      const bar = process.stderr.isTTY && !o.json ? progressBar() : undefined;
      const options = {
        roots: paths,
        crossMounts: o.crossMounts === true,
        verifyPackages: o.verifyPackages ?? 'changed',
        ...(previous ? { previous } : {}),
        ...(bar ? { onProgress: bar.update } : {}),
      };
      let summary: SummaryRecord;
      try {
        // With --out, the old inventory is replaced only once the new one is complete.
        if (o.out) summary = await scanToFile(o.out, options);
        else {
          const stdout = lineBlocks(1);
          summary = await scan({ ...options, writeLine: stdout.line });
          stdout.flush();
        }
      } catch (e) {
        if (e instanceof ScanOutputError) throw new UserError(`--out ${e.message}`);
        if (e instanceof ScanRootError) throw new UserError(e.message);
        throw e;
      } finally {
        bar?.done();
      }
      if (o.json) {
        if (o.out) {
          const { unrecorded, ...rest } = summary;
          process.stdout.write(`${JSON.stringify({ ...rest, unrecorded: unrecorded.length, out: o.out })}\n`);
        }
      } else process.stderr.write(`${describeSummary(summary, o.out)}\n`);
      process.exitCode = EXIT.OK;
    });
}
