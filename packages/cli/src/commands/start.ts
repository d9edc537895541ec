import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkExpectation, compile, decide } from '@execguard/engine';
import { defaultCatalogue } from '@execguard/knowledge';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { isBad, loadHosts, loadPolicy, readEvents } from '../io.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * The main job until the control server lands: check the bundled example policies (validate,
 * run their stored tests) and decide the bundled sample executions, printing what each would do.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the main job on the embedded default: check example policies and decide sample executions')
    .option('--examples <dir>', 'examples directory', join(repoRoot, 'examples'))
    .option('--json', 'print a JSON summary')
    .addHelpText('after', '\nExit codes: 0 all example policies valid and their tests pass; 1 a test fails; 2 invalid input.')
    .action(async (o: { examples: string; json?: boolean }) => {
      const policyDir = join(o.examples, 'policies');
      const hosts = loadHosts(join(o.examples, 'hosts.yaml'));
      const summary: { policy: string; tests: number; failed: number; decisions: Record<string, number> }[] = [];
      for (const name of readdirSync(policyDir)
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort()) {
        const file = join(policyDir, name);
        const policy = loadPolicy(file);
        const compiled = compile(policy, { catalogue: defaultCatalogue });
        const failed = (policy.tests ?? []).filter(
          (t) =>
            checkExpectation(
              t.expect,
              decide(compiled, t.event as never, {
                now: t.now ? Date.parse(t.now) : Date.now(),
                ...(t.host ? { host: t.host } : {}),
              }),
            ).length > 0,
        ).length;
        const decisions: Record<string, number> = {};
        const eventsFile = join(o.examples, 'events', name.replace(/\.(ya?ml|json)$/, '.jsonl'));
        try {
          for await (const item of readEvents(eventsFile)) {
            if (isBad(item)) continue;
            const host = hosts.get(item.event.host?.id ?? '');
            const d = decide(compiled, item.event, { now: Date.now(), ...(host ? { host } : {}) });
            decisions[d.effect] = (decisions[d.effect] ?? 0) + 1;
            if (!o.json && d.effect !== 'allowed') {
              process.stdout.write(
                `  ${d.effect.toUpperCase()} ${item.event.process.command_line ?? item.event.process.executable} — ${d.ruleId}: ${d.reasons[0]?.message}\n`,
              );
            }
          }
        } catch {
          // A policy without sample events is fine.
        }
        summary.push({ policy: relative(process.cwd(), file), tests: policy.tests?.length ?? 0, failed, decisions });
        if (!o.json) {
          process.stdout.write(
            `${relative(process.cwd(), file)}: ${policy.metadata.name} v${policy.metadata.version} (${compiled.ref.digest.slice(0, 12)}) — tests ${(policy.tests?.length ?? 0) - failed}/${policy.tests?.length ?? 0} pass; sample decisions ${JSON.stringify(decisions)}\n`,
          );
        }
      }
      if (o.json) process.stdout.write(`${JSON.stringify({ policies: summary })}\n`);
      process.exitCode = summary.some((s) => s.failed > 0) ? EXIT.FINDING : EXIT.OK;
    });
}
