import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';

interface ServeOptions {
  db: string;
  port: string;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  signingKey?: string;
  retentionDays: string;
  log?: boolean;
  json?: boolean;
}

const DEFAULT_DB = 'sqlite:.execguard/server.db';

function intOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(`${name} ${value}: expected a whole number from ${min} to ${max}`);
  return n;
}

function readPem(option: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UserError(`${option} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Where the signing key lives by default: beside a SQLite database, else in ./.execguard. */
function defaultKeyFile(db: string): string {
  if (db.startsWith('sqlite:')) return join(dirname(resolve(db.slice('sqlite:'.length))), 'execguard-signing.key');
  return resolve('.execguard', 'execguard-signing.key');
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the control server: hosts, policies, signed bundles, events, review, exceptions, windows, replay')
    .option('--db <url>', 'sqlite:PATH (default, WAL mode) or postgres://user@host:port/database', DEFAULT_DB)
    .option('--port <n>', 'TCP port', '8443')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option(
      '--signing-key <file>',
      'Ed25519 key signing bundles and audit checkpoints (PKCS#8 PEM, mode 0600); generated with its .pub on first start if absent (default: execguard-signing.key beside the SQLite file)',
    )
    .option('--retention-days <n>', 'delete events older than this many days', '400')
    .option('--log', 'log every request (JSON lines on stdout; never credentials)')
    .option('--json', 'print the start-up line (address, database, bootstrap token) as JSON')
    .addHelpText(
      'after',
      '\nOn the first start against an empty database the server prints a one-time bootstrap admin token; it is shown\nonly then and never logged. Every route but /healthz needs a bearer token; the API is described at /openapi.json.\nStops cleanly on SIGINT or SIGTERM (batches being written are committed first).\nExit codes: 0 stopped cleanly; 2 invalid usage (bad --db, port, unreadable certificate) or the database or port\ncannot be opened.',
    )
    .action(async (o: ServeOptions) => {
      const port = intOption('--port', o.port, 0, 65535);
      const retentionDays = intOption('--retention-days', o.retentionDays, 1, 36500);
      if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new UserError('--tls-cert and --tls-key go together');
      const tls =
        o.tlsCert && o.tlsKey ? { cert: readPem('--tls-cert', o.tlsCert), key: readPem('--tls-key', o.tlsKey) } : undefined;
      const db = /^(sqlite:|postgres(ql)?:\/\/)/.test(o.db) ? o.db : `sqlite:${o.db}`;
      const { openStore } = await import('@execguard/store');
      const { createServer } = await import('@execguard/server');
      let store: Awaited<ReturnType<typeof openStore>>;
      try {
        store = await openStore(db);
      } catch (e) {
        throw new UserError(`--db ${redact(db)}: cannot open (${(e as Error).message})`);
      }
      let server: Awaited<ReturnType<typeof createServer>>;
      try {
        server = await createServer({
          store,
          logger: o.log === true,
          limits: { retentionDays },
          signing: { keyFile: o.signingKey ?? defaultKeyFile(db) },
          ...(tls ? { tls } : {}),
        });
      } catch (e) {
        await store.close();
        // A key file others can read, an unreadable certificate…: the message says which and why.
        throw new UserError(`cannot start: ${(e as Error).message}`);
      }
      let address: string;
      try {
        address = await server.app.listen({ port, host: o.host });
      } catch (e) {
        await server.close();
        await store.close();
        throw new UserError(`cannot listen on ${o.host}:${port} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const info = { listening: address, db: redact(db), tls: tls !== undefined, bootstrapToken: server.bootstrapToken };
      if (o.json) process.stdout.write(`${JSON.stringify(info)}\n`);
      else {
        process.stdout.write(`execguard: listening on ${address} (${redact(db)})\n`);
        if (server.bootstrapToken)
          process.stdout.write(`execguard: bootstrap admin token (shown once, store it now): ${server.bootstrapToken}\n`);
      }
      await new Promise<void>((done) => {
        const stop = () => done();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await store.close();
      process.exitCode = EXIT.OK;
    });
}

/** A database URL without its password. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
