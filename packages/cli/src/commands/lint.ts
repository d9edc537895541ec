import { type InventoryFacts, lintPolicy, type PostureFacts, toSarif } from '@execguard/engine';
import { type FileRecord, InventoryFormatError, type PostureRecord, readInventory } from '@execguard/inventory';
import { defaultCatalogue } from '@execguard/knowledge';
import { type Finding, formatIssue, parsePolicyText, SEVERITIES, type Severity } from '@execguard/schema';
import { type Command, Option } from 'commander';
import { EXIT, UserError } from '../errors.js';
import { parseTime, readTextFile } from '../io.js';
import { VERSION } from '../version.js';

interface LintOptions {
  format: 'text' | 'json' | 'sarif';
  json?: boolean;
  failOn: Severity;
  now?: string;
  inventory?: string[];
}

// The engine takes minimal shapes (it does not depend on @execguard/inventory): map here.
function fileFacts(r: FileRecord): InventoryFacts {
  const via = r.writableBy.evidence.map((e) => `${e.path}: ${e.principal} ${e.how}`).join('; ');
  return {
    path: r.path,
    sha256: r.sha256,
    writableBy: { users: r.writableBy.users, groups: r.writableBy.groups, other: r.writableBy.other, ...(via ? { via } : {}) },
    ...(r.mount ? { mountNoexec: r.mount.noexec } : {}),
    ...(r.elf?.static === true && r.elf.elfType !== 'REL' ? { staticElf: true } : {}),
    ...(r.package ? { package: r.package } : {}),
  };
}

function postureFacts(r: PostureRecord): PostureFacts {
  return {
    host: r.host,
    tmpDirs: r.tmpDirs.map((d) => ({
      path: d.path,
      exists: d.exists,
      ...(d.worldWritable !== undefined ? { worldWritable: d.worldWritable } : {}),
      ...(d.mount ? { noexec: d.mount.noexec } : {}),
    })),
    memfdNoexec: r.memfdNoexec,
    loaders: r.loaders,
  };
}

async function loadInventories(files: readonly string[]) {
  const inventory: InventoryFacts[] = [];
  const posture: PostureFacts[] = [];
  for (const file of files) {
    let complete = false;
    try {
      for await (const r of readInventory(file)) {
        if (r.kind === 'file') inventory.push(fileFacts(r));
        else if (r.kind === 'posture') posture.push(postureFacts(r));
        else if (r.kind === 'summary') complete = true;
      }
    } catch (e) {
      if (e instanceof InventoryFormatError) throw new UserError(e.message);
      throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    // An interrupted scan would silently hide writable files: refuse it rather than under-report.
    if (!complete) throw new UserError(`${file}: not a complete inventory (no summary record; was the scan interrupted?)`);
  }
  return { inventory, posture };
}

export function registerLint(policy: Command): void {
  policy
    .command('lint')
    .description(
      'find bypass paths in a policy: writable or broad allows, proxy binaries, inline code, stale audit, exceptions, windows',
    )
    .argument('<file>', 'policy file (YAML or JSON)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--json', 'same as --format json')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .option('--now <time>', 'evaluation time for audit periods and expiries, ISO 8601 (default: now)')
    .option(
      '--inventory <files...>',
      'inventories from `execguard scan`: flag allowed paths non-administrators can write, modified package files, host posture',
    )
    .addHelpText(
      'after',
      '\nEach finding names the ATT&CK for ICS technique it opens, its severity, the evidence and the fix.\nExit codes: 0 no finding at or above --fail-on; 1 such a finding; 2 invalid policy or usage.',
    )
    .action(async (file: string, o: LintOptions) => {
      const parsed = parsePolicyText(readTextFile(file), file);
      if (!parsed.ok)
        throw new UserError(`invalid policy ${file}:\n${parsed.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
      const now = o.now ? parseTime(o.now, '--now') : Date.now();
      const host = o.inventory ? await loadInventories(o.inventory) : undefined;
      const findings = lintPolicy({ policy: parsed.value, catalogue: defaultCatalogue, now, ...host });
      const format = o.json ? 'json' : o.format;
      const where = (f: Finding) => {
        const pos = f.location ? parsed.locate(f.location.path) : undefined;
        return pos ? `${file}:${pos.line}:${pos.column}` : file;
      };
      if (format === 'sarif') {
        process.stdout.write(
          `${JSON.stringify(toSarif(findings, { file, version: VERSION, locate: parsed.locate }), null, 2)}\n`,
        );
      } else if (format === 'json') {
        const located = findings.map((f) => ({
          ...f,
          ...(f.location ? { location: { ...f.location, file, ...parsed.locate(f.location.path) } } : {}),
        }));
        process.stdout.write(`${JSON.stringify({ file, findings: located })}\n`);
      } else {
        for (const f of findings) {
          process.stdout.write(
            `${f.severity.toUpperCase().padEnd(8)} ${f.id} ${where(f)}: ${f.title} [${f.techniques.join(', ') || 'programme'}]\n`,
          );
          process.stdout.write(`         ${f.message}\n         fix: ${f.fix}\n`);
        }
        process.stdout.write(`${file}: ${findings.length} finding(s)\n`);
      }
      const threshold = SEVERITIES.indexOf(o.failOn);
      process.exitCode = findings.some((f) => SEVERITIES.indexOf(f.severity) >= threshold) ? EXIT.FINDING : EXIT.OK;
    });
}
