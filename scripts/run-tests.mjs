#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/**/*.test.js and bench smoke tests) with node's
// built-in runner. The runner's closing summary ("# pass N", "# fail N") is what CI reads.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) yield* walk(full);
    else if (entry.endsWith('.test.js')) yield full;
  }
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  try {
    statSync(dist);
  } catch {
    continue;
  }
  for (const f of walk(dist)) {
    const rel = relative(root, f);
    if (filter.length === 0 || filter.some((x) => rel.includes(x))) files.push(rel);
  }
}
files.sort();
const reporter = process.stdout.isTTY ? 'spec' : 'tap';
const res = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, '--test-concurrency=2', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
