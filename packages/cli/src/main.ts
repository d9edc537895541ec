#!/usr/bin/env node
import { CommanderError } from 'commander';
import { EXIT, UserError } from './errors.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      process.exitCode =
        e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help'
          ? EXIT.OK
          : EXIT.USAGE;
      return;
    }
    if (e instanceof UserError) {
      process.stderr.write(`execguard: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    // The schema (and its validators) is loaded only by the commands that use it.
    if (
      (e as Error | undefined)?.name === 'ValidationError' &&
      e instanceof (await import('@execguard/schema')).ValidationError
    ) {
      process.stderr.write(`execguard: ${e.message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    process.stderr.write(`execguard: internal error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.EXECGUARD_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    process.exitCode = 70;
  }
}

// EPIPE when the reader goes away (| head) is not an error worth a trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

await main(process.argv);
