import { renameSync, writeFileSync } from 'node:fs';
import { type InitBaseline, type InitEntry, initPolicy, ROLES, type Role } from '@execguard/engine';
import { type Baseline, BaselineError, parseBaseline } from '@execguard/inventory';
import { defaultCatalogue } from '@execguard/knowledge';
import { type Command, Option } from 'commander';
import { Document } from 'yaml';
import { UserError } from '../errors.js';
import { parseTime, readTextFile } from '../io.js';

// The engine takes a minimal baseline shape (it must not depend on @execguard/inventory); this
// file maps the inventory's baseline onto it and writes the policy as commented YAML.

function toInitEntry(e: Baseline['entries'][number]): InitEntry {
  return {
    path: e.path,
    sha256: e.sha256,
    type: e.type,
    ...(e.package ? { package: e.package } : {}),
    ...(e.signer ? { signer: e.signer } : {}),
    ...(e.interpreter ? { interpreter: e.interpreter } : {}),
    ...(e.writableBy ? { writableBy: e.writableBy } : {}),
  };
}

function loadBaseline(file: string): Baseline {
  try {
    return parseBaseline(readTextFile(file), file);
  } catch (e) {
    if (e instanceof BaselineError) throw new UserError(e.message);
    throw e;
  }
}

interface InitCliOptions {
  baseline: string;
  role?: Role;
  name?: string;
  out?: string;
  scriptPaths?: boolean;
  now?: string;
}

export function registerInit(policy: Command): void {
  policy
    .command('init')
    .description('generate a starting policy (audit mode, 30 days) that allows a baseline by its strongest identities')
    .requiredOption('--baseline <file>', 'baseline written by `execguard baseline create`')
    .addOption(new Option('--role <role>', 'host role the policy is for (default: the baseline role)').choices([...ROLES]))
    .option('--name <name>', 'policy name (default: ROLE-baseline)')
    .option('--out <file>', 'policy file to write (default: stdout)')
    .option('--script-paths', 'allow administrator-only scripts by exact path instead of hash (survives edits)')
    .option('--now <time>', 'generation time, ISO 8601 (default: now); the audit period ends 30 days later')
    .addHelpText(
      'after',
      '\nIdentity preference: dpkg package (verified) > signer + product + minVersion > sha256 > admin-only path.\nExit codes: 0 written; 2 unreadable or invalid baseline, or bad usage.',
    )
    .action((o: InitCliOptions) => {
      const b = loadBaseline(o.baseline);
      const role = o.role ?? b.role;
      if (role !== undefined && !ROLES.includes(role as Role))
        throw new UserError(`${o.baseline}: baseline role "${role}" is not one of ${ROLES.join(', ')}; pass --role`);
      if (o.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(o.name))
        throw new UserError(`--name ${o.name}: use letters, digits and . _ : - (max 128), starting with a letter or digit`);
      const hosts = [...new Set(b.sources.map((s) => s.host).filter((h): h is string => !!h))];
      const input: InitBaseline = {
        ...(role ? { role } : {}),
        source: `${o.baseline}${hosts.length > 0 ? ` (host ${hosts.join(', ')})` : ''}`,
        entries: b.entries.map(toInitEntry),
      };
      const now = o.now ? parseTime(o.now, '--now') : Date.now();
      const result = initPolicy(input, {
        now,
        catalogue: defaultCatalogue,
        scriptPaths: o.scriptPaths === true,
        ...(role ? { role: role as Role } : {}),
        ...(o.name ? { name: o.name } : {}),
      });
      const doc = new Document(result.policy);
      doc.commentBefore = result.notes.map((n) => ` ${n}`).join('\n');
      const text = doc.toString({ lineWidth: 0 });
      if (!o.out) {
        process.stdout.write(text);
        return;
      }
      const temp = `${o.out}.tmp-${process.pid}`;
      try {
        writeFileSync(temp, text);
        renameSync(temp, o.out);
      } catch (e) {
        throw new UserError(`${o.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const high = result.findings.filter((f) => f.severity === 'high' || f.severity === 'critical').length;
      process.stderr.write(
        `policy ${o.out}: ${result.policy.rules.length} rules from ${b.entries.length} baseline entries; audit until ${result.policy.defaults.auditUntil}; ${high} high/critical lint finding(s)${high > 0 ? ' (explained in the header)' : ''}\n`,
      );
    });
}
