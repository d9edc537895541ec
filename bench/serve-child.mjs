// `execguard serve` in a child process for the server benchmarks: the load generator must not share
// the server's event loop. Resolves with the server's first JSON line (listening URL, bootstrap token).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli', 'dist', 'main.js');

/** @returns {Promise<{ child: import('node:child_process').ChildProcess, listening: string, bootstrapToken: string | null }>} */
export function startServer(db, signingKey, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const args = [...nodeFlags, cli, 'serve', '--db', db, '--port', '0', '--json', '--signing-key', signingKey];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, ...JSON.parse(out.slice(0, nl)) });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}
