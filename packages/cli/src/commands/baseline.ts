import { renameSync, writeFileSync } from 'node:fs';
import {
  approve,
  type Baseline,
  BaselineError,
  comparableFromEntry,
  comparableFromRecord,
  createBaseline,
  type DriftReport,
  diff,
  InventoryFormatError,
  type InventoryRecord,
  parseBaseline,
  readInventory,
} from '@execguard/inventory';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';
import { readTextFile } from '../io.js';

async function readInventoryFile(file: string): Promise<InventoryRecord[]> {
  const records: InventoryRecord[] = [];
  try {
    for await (const r of readInventory(file)) records.push(r);
  } catch (e) {
    if (e instanceof InventoryFormatError) throw new UserError(e.message);
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return records;
}

function loadBaseline(file: string): Baseline {
  try {
    return parseBaseline(readTextFile(file), file);
  } catch (e) {
    if (e instanceof BaselineError) throw new UserError(e.message);
    throw e;
  }
}

/** Writes next to the target and renames, so an interrupted write never leaves half a baseline. */
function writeJson(file: string, value: unknown): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(temp, file);
  } catch (e) {
    throw new UserError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Either side of a diff may be a baseline (one JSON document) or an inventory (JSON lines). */
async function comparables(file: string) {
  const text = readTextFile(file);
  const map = new Map<string, ReturnType<typeof comparableFromEntry>>();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined; // JSON lines: an inventory
  }
  if ((doc as { kind?: unknown } | undefined)?.kind === 'execguard-baseline') {
    for (const e of loadBaseline(file).entries) map.set(e.path, comparableFromEntry(e));
    return map;
  }
  let complete = false;
  for (const r of await readInventoryFile(file)) {
    if (r.kind === 'file') map.set(r.path, comparableFromRecord(r));
    if (r.kind === 'summary') complete = true;
  }
  if (!complete) throw new UserError(`${file}: neither a baseline nor a complete inventory (no summary record)`);
  return map;
}

function driftTable(r: DriftReport): string {
  if (r.drift.length === 0) return `no drift between ${r.a} and ${r.b}`;
  const rows = r.drift.map((d) => {
    const detail =
      d.change === 'changed'
        ? Object.entries(d.fields ?? {})
            .map(([f, [x, y]]) =>
              f === 'sha256'
                ? `sha256 ${String(x).slice(0, 12)}… → ${String(y).slice(0, 12)}…`
                : `${f} ${String(x)} → ${String(y)}`,
            )
            .join('; ')
        : `sha256 ${(d.after ?? d.before ?? '').slice(0, 12)}…`;
    return [d.change.toUpperCase(), d.path, detail] as const;
  });
  const w0 = Math.max(6, ...rows.map((x) => x[0].length));
  const w1 = Math.max(4, ...rows.map((x) => x[1].length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd();
  return [
    `drift from ${r.a} to ${r.b}: ${r.added} added, ${r.removed} removed, ${r.changed} changed`,
    line('CHANGE', 'PATH', 'DETAIL'),
    ...rows.map((x) => line(x[0], x[1], x[2])),
  ].join('\n');
}

export function registerBaseline(program: Command): void {
  const baseline = program
    .command('baseline')
    .description('approved-software baselines built from inventories, and drift reports');

  baseline
    .command('create')
    .description('build a baseline from one or more inventories (every entry starts unverified)')
    .requiredOption('--inventory <files...>', 'inventory files written by `execguard scan`')
    .option('--role <role>', 'host role the baseline is for (hmi, ews, historian, gateway, …)')
    .requiredOption('--out <file>', 'baseline file to write (JSON)')
    .action(async (o: { inventory: string[]; role?: string; out: string }) => {
      const inputs = [];
      for (const file of o.inventory) inputs.push({ file, records: await readInventoryFile(file) });
      let b: Baseline;
      try {
        b = createBaseline(inputs, o.role, new Date());
      } catch (e) {
        if (e instanceof BaselineError) throw new UserError(e.message);
        throw e;
      }
      writeJson(o.out, b);
      process.stderr.write(
        `baseline ${o.out}: ${b.entries.length} entries from ${inputs.length} inventories, all unverified until approved\n`,
      );
    });

  baseline
    .command('approve')
    .description('record who approved baseline entries and when')
    .argument('<file>', 'baseline file (rewritten in place)')
    .requiredOption('--by <name>', 'who approves (person or role)')
    .option('--all', 'approve every entry')
    .option('--sha256 <hashes...>', 'approve the entries with these hashes')
    .action((file: string, o: { by: string; all?: boolean; sha256?: string[] }) => {
      if (o.all === (o.sha256 !== undefined)) throw new UserError('give exactly one of --all or --sha256 H…');
      for (const h of o.sha256 ?? [])
        if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new UserError(`--sha256 ${h}: not a SHA-256 (64 hex digits)`);
      const b = loadBaseline(file);
      let next: Baseline;
      try {
        next = approve(b, o.by, o.all ? { all: true } : { sha256: o.sha256 ?? [] }, new Date());
      } catch (e) {
        if (e instanceof BaselineError) throw new UserError(`${file}: ${e.message}`);
        throw e;
      }
      writeJson(file, next);
      const last = next.approvals.at(-1);
      const pending = next.entries.filter((e) => e.status !== 'approved').length;
      process.stderr.write(`${file}: ${last?.count ?? 0} entries approved by ${o.by}; ${pending} still unverified\n`);
    });

  baseline
    .command('diff')
    .description('drift report: files added, removed and changed from A to B (baselines or inventories)')
    .argument('<a>', 'the reference (baseline or inventory)')
    .argument('<b>', 'the current state (baseline or inventory)')
    .option('--json', 'the report as one JSON document')
    .addHelpText('after', '\nExit codes: 0 no drift; 1 drift found; 2 invalid usage or input.')
    .action(async (a: string, b: string, o: { json?: boolean }) => {
      const report = diff(a, await comparables(a), b, await comparables(b));
      process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : `${driftTable(report)}\n`);
      process.exitCode = report.drift.length > 0 ? EXIT.FINDING : EXIT.OK;
    });
}
