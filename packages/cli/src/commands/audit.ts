import { AuditFileStore, type AuditReport, isTrustError, verifyAuditExport } from '@execguard/trust';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';
import { exitCodeOf, keyed, loadPrivateKey, loadPublicKeys, readBytes } from '../trust-io.js';

function printReport(file: string, r: AuditReport): void {
  const span = r.firstSeq === undefined ? 'no entries' : `${r.entries} entries (seq ${r.firstSeq}–${r.lastSeq})`;
  const cps = `${r.checkpoints.valid}/${r.checkpoints.total} checkpoints valid`;
  if (r.intact) {
    process.stdout.write(`${file}: intact — ${span}, ${cps}${r.head ? `, head ${r.head.seq}:${r.head.hash}` : ''}\n`);
  } else {
    process.stdout.write(`${file}: TAMPERING FOUND — ${r.problems.length} problem(s); ${span}, ${cps}\n`);
    for (const p of r.problems) {
      const where =
        p.seq === undefined ? '' : p.toSeq !== undefined && p.toSeq !== p.seq ? ` seq ${p.seq}–${p.toSeq}` : ` seq ${p.seq}`;
      process.stdout.write(`  ${p.kind}${where}${p.line ? ` (line ${p.line})` : ''}: ${p.message}\n`);
    }
  }
  for (const w of r.warnings) process.stdout.write(`  warning: ${w}\n`);
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('tamper-evident audit log: verify exports offline, append to a log file');

  audit
    .command('verify')
    .description('verify an audit log export (JSON lines): hash chain and signed checkpoints')
    .argument('<file>', 'export file, or - for stdin')
    .requiredOption(
      '--public-key <file>',
      'public key that signs checkpoints (repeat for several)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--strict', 'entries after the last checkpoint (not covered by a signature) count as a problem')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nDetects modified, deleted, inserted and reordered entries, truncation below a signed checkpoint and forged\ncheckpoints; each problem names its kind and seq.\nExit codes: 0 intact; 1 tampering found; 2 unreadable input, not an audit export, bad key or usage.',
    )
    .action((file: string, o: { publicKey: string[]; strict?: boolean; json?: boolean }) => {
      const keys = loadPublicKeys(o.publicKey);
      const data = readBytes(file);
      let report: AuditReport;
      try {
        report = verifyAuditExport(data, keys, { strict: o.strict === true });
      } catch (e) {
        if (isTrustError(e)) throw new UserError(`${file}: ${e.message} [${e.code}]`, exitCodeOf(e));
        throw e;
      }
      if (o.json) process.stdout.write(`${JSON.stringify({ file, ...report })}\n`);
      else printReport(file, report);
      process.exitCode = report.intact ? EXIT.OK : EXIT.FINDING;
    });

  audit
    .command('append')
    .description('append one entry to an audit log file (append-only, fsynced; a checkpoint every N entries with --key)')
    .requiredOption('--log <file>', 'audit log file (JSON lines; created if missing)')
    .requiredOption('--actor <who>', 'who did it')
    .requiredOption('--action <what>', 'what was done, e.g. policy.publish')
    .requiredOption('--subject <subject>', 'what it was done to')
    .option('--details <json>', 'a JSON object with details', '{}')
    .option('--key <file>', 'private key for checkpoints')
    .option('--checkpoint-every <n>', 'entries between checkpoints (with --key; 0 = none)', '100')
    .option('--json', 'print the entry as JSON')
    .addHelpText('after', '\nExit codes: 0 appended; 2 invalid input, unreadable key, or a log whose last entry is altered.')
    .action(
      (o: {
        log: string;
        actor: string;
        action: string;
        subject: string;
        details: string;
        key?: string;
        checkpointEvery: string;
        json?: boolean;
      }) => {
        let details: unknown;
        try {
          details = JSON.parse(o.details);
        } catch {
          throw new UserError('--details: not JSON');
        }
        if (typeof details !== 'object' || details === null || Array.isArray(details))
          throw new UserError('--details: must be a JSON object');
        const every = Number(o.checkpointEvery);
        if (!Number.isSafeInteger(every) || every < 0) throw new UserError('--checkpoint-every: expected an integer >= 0');
        const signingKey = o.key ? loadPrivateKey(o.key) : undefined;
        const store = keyed(() => AuditFileStore.open(o.log, { ...(signingKey ? { signingKey } : {}), checkpointEvery: every }));
        try {
          const e = keyed(() =>
            store.append({ actor: o.actor, action: o.action, subject: o.subject, details: details as Record<string, unknown> }),
          );
          process.stdout.write(o.json ? `${JSON.stringify(e)}\n` : `${o.log}: entry ${e.seq} ${e.hash}\n`);
        } finally {
          store.close();
        }
      },
    );

  audit
    .command('checkpoint')
    .description('seal the current head of an audit log file with a signed checkpoint (do this before exporting)')
    .requiredOption('--log <file>', 'audit log file')
    .requiredOption('--key <file>', 'private signing key')
    .option('--json', 'print the checkpoint as JSON')
    .addHelpText('after', '\nExit codes: 0 written; 2 empty or altered log, unreadable key.')
    .action((o: { log: string; key: string; json?: boolean }) => {
      const signingKey = loadPrivateKey(o.key);
      const store = keyed(() => AuditFileStore.open(o.log, { signingKey, checkpointEvery: 0 }));
      try {
        const cp = keyed(() => store.checkpoint());
        process.stdout.write(o.json ? `${JSON.stringify(cp)}\n` : `${o.log}: checkpoint at entry ${cp.seq} ${cp.hash}\n`);
      } finally {
        store.close();
      }
    });
}
