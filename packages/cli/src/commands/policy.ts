import { checkExpectation, compile, decide } from '@execguard/engine';
import { defaultCatalogue } from '@execguard/knowledge';
import { type ExecEvent, formatIssue, parsePolicyText, policyJsonSchema, validateEvent } from '@execguard/schema';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { loadPolicy, parseTime, readTextFile } from '../io.js';
import { registerInit } from './init.js';
import { registerLint } from './lint.js';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('validate, describe, lint and test policies');
  registerLint(policy);
  registerInit(policy);

  policy
    .command('validate')
    .description('check a policy file; every problem is listed with file:line:column')
    .argument('<file>', 'policy file (YAML or JSON), or - for stdin')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 valid; 2 invalid (each problem listed) or unreadable.')
    .action((file: string, o: { json?: boolean }) => {
      const parsed = parsePolicyText(readTextFile(file), file);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ file, valid: parsed.ok, issues: parsed.issues })}\n`);
      } else if (parsed.ok) {
        const p = parsed.value;
        const c = compile(p, { catalogue: defaultCatalogue });
        process.stdout.write(
          `${file}: valid — ${p.metadata.name} v${p.metadata.version}, ${p.rules.length} rules, ${p.exceptions?.length ?? 0} exceptions, ${p.maintenanceWindows?.length ?? 0} windows, digest ${c.ref.digest}\n`,
        );
      } else {
        process.stderr.write(`${file}: invalid policy, ${parsed.issues.length} problem(s):\n`);
        for (const i of parsed.issues) process.stderr.write(`  ${formatIssue(i)}\n`);
      }
      process.exitCode = parsed.ok ? EXIT.OK : EXIT.USAGE;
    });

  policy
    .command('schema')
    .description('print the JSON Schema of policy files (for editors: validation and completion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
    });

  policy
    .command('test')
    .description("run the test cases stored in a policy's `tests:` list")
    .argument('<file>', 'policy file with tests')
    .option('--json', 'print results as JSON')
    .option('--now <time>', 'time for cases that give none (default: now)')
    .addHelpText('after', '\nExit codes: 0 all cases pass; 1 a case fails (or the policy has none); 2 invalid policy or usage.')
    .action((file: string, o: { json?: boolean; now?: string }) => {
      const p = loadPolicy(file);
      const compiled = compile(p, { catalogue: defaultCatalogue });
      const fallbackNow = o.now ? parseTime(o.now, '--now') : Date.now();
      const results = (p.tests ?? []).map((t, index) => {
        const issues = validateEvent(t.event);
        if (issues.length > 0) {
          return { index, name: t.name, pass: false, problems: issues.map((i) => `event${i.path}: ${i.message}`) };
        }
        const d = decide(compiled, t.event as ExecEvent, {
          now: t.now ? Date.parse(t.now) : fallbackNow,
          ...(t.host ? { host: t.host } : {}),
        });
        const problems = checkExpectation(t.expect, d);
        return { index, name: t.name, pass: problems.length === 0, problems, decision: d };
      });
      const failed = results.filter((r) => !r.pass).length;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ file, passed: results.length - failed, failed, results })}\n`);
      } else {
        for (const r of results) {
          process.stdout.write(`${r.pass ? 'pass' : 'FAIL'}  ${r.name}\n`);
          for (const pr of r.problems) process.stdout.write(`      ${pr}\n`);
        }
        process.stdout.write(`${file}: ${results.length - failed} passed, ${failed} failed\n`);
      }
      if (results.length === 0) process.stderr.write(`${file}: the policy has no tests\n`);
      process.exitCode = failed > 0 || results.length === 0 ? EXIT.FINDING : EXIT.OK;
    });
}
