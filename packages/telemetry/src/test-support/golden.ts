import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestFiles } from '../ingest/ingest.js';

/** Repository root, from dist/<...>/file.js. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const DATA = join(ROOT, '..', 'shared', 'data');
export const srcDir = (source: string) => join(ROOT, 'packages', 'telemetry', 'src', 'sources', source);

/**
 * Ingests a fixture and compares the JSON lines with golden/<name>.jsonl (log.file.path made relative to the
 * repository so goldens do not depend on the checkout location). GOLDEN_UPDATE=1 rewrites the golden file,
 * which must then be reviewed by hand.
 */
export async function checkGolden(source: string, fixture: string): Promise<unknown[]> {
  const file = join(srcDir(source), 'fixtures', fixture);
  const lines: string[] = [];
  const events: unknown[] = [];
  const run = ingestFiles([file]);
  for await (const item of run) {
    const rel = JSON.parse(JSON.stringify(item).replaceAll(JSON.stringify(file).slice(1, -1), relative(ROOT, file)));
    lines.push(JSON.stringify(rel));
    events.push(rel);
  }
  const golden = join(srcDir(source), 'golden', `${fixture}.jsonl`);
  const text = `${lines.join('\n')}\n`;
  if (process.env.GOLDEN_UPDATE === '1' || !existsSync(golden)) {
    mkdirSync(dirname(golden), { recursive: true });
    writeFileSync(golden, text);
  }
  assert.equal(text, readFileSync(golden, 'utf8'), `${golden} differs (GOLDEN_UPDATE=1 to regenerate, then review)`);
  return events;
}
