import { Command } from 'commander';
import { VERSION } from './version.js';

export { VERSION };

type Register = (program: Command) => void;

/**
 * Each top-level command's module, loaded on demand: `execguard scan` loads the inventory and
 * nothing of the engine, the knowledge base, telemetry or the schema validators. Listed in the
 * order the commands appear in `execguard --help`.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  policy: async () => (await import('./commands/policy.js')).registerPolicy,
  decide: async () => (await import('./commands/decide.js')).registerDecide,
  start: async () => (await import('./commands/start.js')).registerStart,
  scan: async () => (await import('./commands/scan.js')).registerScan,
  baseline: async () => (await import('./commands/baseline.js')).registerBaseline,
  ingest: async () => (await import('./commands/ingest.js')).registerIngest,
  bundle: async () => (await import('./commands/bundle.js')).registerBundle,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  agent: async () => (await import('./commands/agent.js')).registerAgent,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  api: async () => (await import('./commands/api.js')).registerApi,
};

/**
 * The command named on the command line: the first argument that is not an option (the program
 * itself has only --help and --version, which take no value). Undefined when there is none or it is
 * not a command (then every command is registered, for the overview help and "did you mean").
 */
function commandIn(args: readonly string[]): string | undefined {
  const first = args.find((a) => !a.startsWith('-'));
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/**
 * The program. With `argv` (as for parseAsync: node, script, args…), only the command it names is
 * registered, so only that command's dependencies are loaded; without it, every command.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('execguard')
    .description('ExecGuard: execution prevention for industrial control systems (ATT&CK for ICS M0938)')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes (all commands): 0 success; 1 a finding, failed test or deny where the command says so;\n2 invalid usage or invalid input. Set EXECGUARD_DEBUG=1 to see stack traces of internal errors.',
    );
  const args = argv?.slice(2);
  const named = args ? commandIn(args) : undefined;
  // `execguard --version` prints the version and nothing else: no command is needed for it.
  const versionOnly = args !== undefined && args.length > 0 && args.every((a) => a === '--version' || a === '-V');
  const names = named ? [named] : versionOnly ? [] : Object.keys(COMMANDS);
  const registers = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const register of registers) register(program);
  // Every subcommand reports usage errors the same way: through exitOverride, as exit code 2.
  const harden = (cmd: Command) => {
    cmd.exitOverride();
    for (const sub of cmd.commands) harden(sub);
  };
  harden(program);
  return program;
}
