import { Command } from 'commander';
import { registerBaseline } from './commands/baseline.js';
import { registerDecide } from './commands/decide.js';
import { registerIngest } from './commands/ingest.js';
import { registerPolicy } from './commands/policy.js';
import { registerScan } from './commands/scan.js';
import { registerStart } from './commands/start.js';

import { VERSION } from './version.js';

export { VERSION };

export function buildProgram(): Command {
  const program = new Command('execguard')
    .description('ExecGuard: execution prevention for industrial control systems (ATT&CK for ICS M0938)')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes (all commands): 0 success; 1 a finding, failed test or deny where the command says so;\n2 invalid usage or invalid input. Set EXECGUARD_DEBUG=1 to see stack traces of internal errors.',
    );
  registerPolicy(program);
  registerDecide(program);
  registerStart(program);
  registerScan(program);
  registerBaseline(program);
  registerIngest(program);
  // Every subcommand reports usage errors the same way: through exitOverride, as exit code 2.
  const harden = (cmd: Command) => {
    cmd.exitOverride();
    for (const sub of cmd.commands) harden(sub);
  };
  harden(program);
  return program;
}
