import { lintPolicy, toSarif } from '@execguard/engine';
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
    .addHelpText(
      'after',
      '\nEach finding names the ATT&CK for ICS technique it opens, its severity, the evidence and the fix.\nExit codes: 0 no finding at or above --fail-on; 1 such a finding; 2 invalid policy or usage.',
    )
    .action((file: string, o: LintOptions) => {
      const parsed = parsePolicyText(readTextFile(file), file);
      if (!parsed.ok)
        throw new UserError(`invalid policy ${file}:\n${parsed.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
      const now = o.now ? parseTime(o.now, '--now') : Date.now();
      const findings = lintPolicy({ policy: parsed.value, catalogue: defaultCatalogue, now });
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
