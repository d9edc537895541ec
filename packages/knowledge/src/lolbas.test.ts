// LOLBAS examples of execution, AWL bypass and compile commands must be recognised by the catalogue:
// proxy patterns for proxy binaries, the engine's content reading for interpreters.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { defaultCatalogue as cat } from './index.js';
import {
  contentKind,
  fillLolbasPlaceholders,
  findInterpreter,
  haveSharedData,
  invocations,
  matchProxy,
  sharedData,
} from './testing.js';

const CATEGORIES = new Set(['Execute', 'AWL Bypass', 'Compile']);
const FLOOR = 0.9;

function* yamlFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const f = join(dir, e);
    if (statSync(f).isDirectory()) yield* yamlFiles(f);
    else if (f.endsWith('.yml')) yield f;
  }
}

interface LolCommand {
  Command: string;
  Category: string;
}

test('LOLBAS execution examples are recognised for catalogued binaries', { skip: !haveSharedData && 'no shared data' }, (t) => {
  const root = join(sharedData, 'knowledge/lolbas/yml');
  let total = 0;
  let catalogued = 0;
  let covered = 0;
  const uncovered: string[] = [];
  const notCatalogued = new Set<string>();
  for (const file of yamlFiles(root)) {
    const doc = YAML.parse(readFileSync(file, 'utf8')) as { Name: string; Commands?: LolCommand[] };
    for (const c of doc.Commands ?? []) {
      if (!CATEGORIES.has(c.Category)) continue;
      total++;
      // Some examples spell line breaks as a literal "\n".
      const code = fillLolbasPlaceholders(String(c.Command).replace(/\\n/g, '\n'));
      // The binaries under test are the catalogued programs of the example (for OSLibraries: rundll32).
      const calls = invocations(code, 'windows').filter(
        (i) =>
          cat.proxies.some((p) => p.platform === 'windows' && p.name === i.program) || findInterpreter(cat, 'windows', i.program),
      );
      if (calls.length === 0) {
        notCatalogued.add(doc.Name);
        continue;
      }
      catalogued++;
      // Recognised when any step of the example is: a proxy pattern matches or an interpreter gets code.
      const ok = calls.some((call) => {
        const hits = matchProxy(cat, 'windows', call.program, call.args);
        const interp = findInterpreter(cat, 'windows', call.program);
        return (
          (hits !== undefined && hits.length > 0) ||
          (interp !== undefined && contentKind(interp, call.args, 'windows') !== 'none')
        );
      });
      if (ok) covered++;
      else uncovered.push(`${doc.Name}: ${c.Command}`);
    }
  }
  const ratio = covered / catalogued;
  t.diagnostic(
    `LOLBAS ${[...CATEGORIES].join('/')} commands: ${total}; with a catalogued binary: ${catalogued}; recognised: ${covered} (${(ratio * 100).toFixed(1)}%)`,
  );
  t.diagnostic(`binaries not catalogued (${notCatalogued.size}): ${[...notCatalogued].sort().join(', ')}`);
  for (const u of uncovered) t.diagnostic(`not recognised: ${u}`);
  assert.ok(catalogued / total >= 0.8, `only ${catalogued}/${total} LOLBAS execution commands use a catalogued binary`);
  assert.ok(ratio >= FLOOR, `coverage ${ratio.toFixed(3)} below ${FLOOR}`);
});
