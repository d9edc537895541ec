import { compile, decide } from '@execguard/engine';
import { defaultCatalogue } from '@execguard/knowledge';
import type { HostContext } from '@execguard/schema';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';
import { formatDecision } from '../format.js';
import { isBad, loadHosts, loadPolicy, parseTime, readEvents } from '../io.js';

interface DecideOptions {
  policy: string;
  event: string;
  explain?: boolean;
  json?: boolean;
  now?: string;
  host?: string;
  role?: string;
  label?: string[];
  hosts?: string;
}

function hostFrom(o: DecideOptions): HostContext | undefined {
  if (!o.host) {
    if (o.role || o.label?.length) throw new UserError('--role and --label need --host');
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (const l of o.label ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new UserError(`--label "${l}": expected KEY=VALUE`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return { id: o.host, ...(o.role ? { role: o.role } : {}), labels };
}

export function registerDecide(program: Command): void {
  program
    .command('decide')
    .description('decide executions against a policy: one decision per event (JSON, JSON array or JSON lines in)')
    .requiredOption('--policy <file>', 'policy file (YAML or JSON)')
    .requiredOption('--event <file>', 'event file, or - for stdin')
    .option('--explain', 'include the full evaluation trace')
    .option('--json', 'one decision per line as JSON (the event with execguard.decision set)')
    .option('--now <time>', 'evaluation time, ISO 8601 (default: now)')
    .option('--host <id>', "host id (default: the event's host.id)")
    .option('--role <role>', 'host role, with --host')
    .option('--label <key=value...>', 'host labels, with --host')
    .option('--hosts <file>', 'host inventory (YAML/JSON list of {id, role, labels}) giving role and labels by host id')
    .addHelpText(
      'after',
      '\nExit codes: 0 every event allowed; 1 at least one deny verdict (enforced or would-deny); 2 invalid usage or input\n(bad events are reported with their line on stderr; the others are still decided).',
    )
    .action(async (o: DecideOptions) => {
      const compiled = compile(loadPolicy(o.policy), { catalogue: defaultCatalogue });
      const now = o.now ? parseTime(o.now, '--now') : Date.now();
      const host = hostFrom(o);
      const inventory = o.hosts ? loadHosts(o.hosts) : undefined;
      let denies = 0;
      let bad = 0;
      for await (const item of readEvents(o.event)) {
        if (isBad(item)) {
          bad++;
          process.stderr.write(`${o.event}:${item.line}: ${item.message}\n`);
          continue;
        }
        const h = host ?? inventory?.get(item.event.host?.id ?? item.event.host?.name ?? '');
        const d = decide(compiled, item.event, { now, ...(h ? { host: h } : {}), explain: o.explain === true });
        if (d.verdict === 'deny') denies++;
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...item.event, execguard: { ...item.event.execguard, decision: d } })}\n`);
        } else {
          process.stdout.write(`${formatDecision(d, item.event, `${o.event}:${item.line}`)}\n`);
        }
      }
      process.exitCode = bad > 0 ? EXIT.USAGE : denies > 0 ? EXIT.FINDING : EXIT.OK;
    });
}
