import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';

interface ApiOptions {
  server?: string;
  data?: string;
  query?: string[];
  json?: boolean;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** The body: inline JSON, `@FILE` (JSON, or YAML/JSON policy text sent as {text}), or `-` for stdin. */
function body(data: string | undefined): unknown {
  if (data === undefined) return undefined;
  let text: string;
  if (data === '-') text = readFileSync(0, 'utf8');
  else if (data.startsWith('@')) {
    try {
      text = readFileSync(data.slice(1), 'utf8');
    } catch (e) {
      throw new UserError(`--data ${data}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else text = data;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`--data: not JSON (${(e as Error).message})`);
  }
}

/**
 * `execguard api METHOD PATH`: every control-server route from the command line, with the token
 * from EXECGUARD_TOKEN (never an argument: argv is visible to every user of the host). The answer
 * is printed as JSON; an HTTP error exits 1 with the server's message (which names the bad field).
 */
export function registerApi(program: Command): void {
  program
    .command('api')
    .description('call the control server API (routes in /openapi.json), e.g. `execguard api GET /v1/hosts`')
    .argument('<method>', 'GET, POST, PUT, PATCH or DELETE')
    .argument('<path>', 'route path, e.g. /v1/exceptions/EXC-1/approve')
    .option('--server <url>', 'control server (default: $EXECGUARD_SERVER)')
    .option('--data <json|@file|->', 'request body: JSON text, @FILE with JSON, or - for stdin')
    .option('--query <key=value...>', 'query parameters')
    .option('--json', 'print the raw JSON answer on one line')
    .addHelpText(
      'after',
      '\nThe bearer token comes from $EXECGUARD_TOKEN. Examples:\n  execguard api GET /v1/events --query effect=would-deny limit=20\n  execguard api POST /v1/policies --data @policy.json\n  execguard api POST /v1/exceptions/EXC-7/approve\nExit codes: 0 2xx answer; 1 the server refused (4xx/5xx: its message is printed); 2 invalid usage or unreachable server.',
    )
    .action(async (methodArg: string, path: string, o: ApiOptions) => {
      const method = methodArg.toUpperCase();
      if (!METHODS.has(method)) throw new UserError(`method "${methodArg}": expected one of ${[...METHODS].join(', ')}`);
      const server = o.server ?? process.env.EXECGUARD_SERVER;
      if (!server) throw new UserError('no server: give --server URL or set EXECGUARD_SERVER');
      if (!path.startsWith('/')) throw new UserError(`path "${path}": must start with /`);
      const token = process.env.EXECGUARD_TOKEN;
      let url: URL;
      try {
        url = new URL(path, server);
      } catch {
        throw new UserError(`--server ${server}: not a URL`);
      }
      for (const kv of o.query ?? []) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new UserError(`--query ${kv}: expected KEY=VALUE`);
        url.searchParams.append(kv.slice(0, i), kv.slice(i + 1));
      }
      const payload = body(o.data);
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause;
        throw new UserError(`${url.origin}: unreachable (${cause?.code ?? (e as Error).message})`);
      }
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: printed as text
      }
      const out = typeof parsed === 'string' ? parsed : JSON.stringify(parsed, null, o.json ? undefined : 2);
      if (res.ok) {
        process.stdout.write(`${out}\n`);
        return;
      }
      process.stderr.write(`execguard: ${method} ${path}: ${res.status} ${res.statusText}\n${out}\n`);
      process.exitCode = EXIT.FINDING;
    });
}
