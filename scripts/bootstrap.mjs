#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when the lockfile changed, then builds
// incrementally. Uses only Node built-ins because it runs before node_modules exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (msg) => quiet || process.stderr.write(`[bootstrap] ${msg}\n`);
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    // The tool already printed what went wrong; a stack trace of this script adds nothing.
    process.stderr.write(
      `[bootstrap] ${[cmd, ...args].map((a) => a.replace(root, '.')).join(' ')} failed (exit ${e.status ?? e.code})\n`,
    );
    process.exit(typeof e.status === 'number' ? e.status : 1);
  }
};

const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  log('installing dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
log('building (tsc -b)');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
// Workspaces with their own build step (native addons, web bundles) declare it as "build:extra".
for (const ws of JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
  if (pkg.scripts?.['build:extra']) {
    log(`building ${pkg.name} (build:extra)`);
    run('npm', ['run', '--silent', 'build:extra', '-w', ws]);
  }
}
