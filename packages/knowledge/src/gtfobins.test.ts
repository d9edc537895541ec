// GTFOBins shell/command/reverse-shell/bind-shell/library-load examples of catalogued Linux binaries
// must be recognised: by a proxy pattern, by the interpreter reading of the arguments, or as a
// direct loader invocation.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { defaultCatalogue as cat } from './index.js';
import { contentKind, findInterpreter, haveSharedData, invocations, isLoader, matchProxy, sharedData } from './testing.js';

const FUNCTIONS = ['shell', 'command', 'reverse-shell', 'bind-shell', 'library-load'] as const;
const FLOOR = 0.9;

interface Example {
  code?: string;
  contexts?: Record<string, { code?: string } | null>;
}

function codes(ex: Example): string[] {
  const set = new Set<string>();
  if (ex.code) set.add(ex.code);
  for (const c of Object.values(ex.contexts ?? {})) if (c?.code) set.add(c.code);
  return [...set];
}

test('GTFOBins execution examples are recognised for catalogued binaries', { skip: !haveSharedData && 'no shared data' }, (t) => {
  const dir = join(sharedData, 'knowledge/gtfobins/_gtfobins');
  let total = 0;
  let catalogued = 0;
  let covered = 0;
  const excluded: string[] = [];
  const uncovered: string[] = [];
  const catalogueNames = new Set<string>();
  for (const bin of readdirSync(dir)) {
    const doc = YAML.parse(readFileSync(join(dir, bin), 'utf8')) as {
      alias?: string;
      functions?: Record<string, Example[]>;
    } | null;
    if (!doc || doc.alias) continue;
    const known =
      cat.proxies.some((p) => p.platform === 'linux' && p.name === bin) ||
      findInterpreter(cat, 'linux', bin) ||
      isLoader(cat, bin);
    for (const fn of FUNCTIONS) {
      for (const ex of doc.functions?.[fn] ?? []) {
        for (const code of codes(ex)) {
          total++;
          if (!known) continue;
          catalogueNames.add(bin);
          const calls = invocations(code, 'linux').filter((i) => i.program === bin || isLoader(cat, i.program));
          const label = `${bin} [${fn}]: ${code.replace(/\n/g, ' ⏎ ')}`;
          if (calls.length === 0) {
            excluded.push(`no invocation found: ${label}`);
            continue;
          }
          // Recognised when any invocation of the binary in the example is.
          const ok = calls.some((call) => {
            if (isLoader(cat, call.program)) return true;
            const hits = matchProxy(cat, 'linux', call.program, call.args);
            if (hits && hits.length > 0) return true;
            const interp = findInterpreter(cat, 'linux', call.program);
            // An interpreter with code arguments must read them as content; one started bare (`bash`,
            // `tclsh`) is the shell itself and is governed by program approval.
            return (
              interp !== undefined &&
              (contentKind(interp, call.args, 'linux') !== 'none' || call.args.every((a) => a.startsWith('-')))
            );
          });
          const last = calls[calls.length - 1] as (typeof calls)[number];
          if (!ok && calls.some((c) => c.env.length > 0)) {
            excluded.push(`environment-borne (code in an environment variable): ${label}`);
            continue;
          }
          if (!ok && last.line < last.lines - 1) {
            excluded.push(`multi-step (code typed at the program's prompt or prepared in a file): ${label}`);
            continue;
          }
          catalogued++;
          if (ok) covered++;
          else uncovered.push(label);
        }
      }
    }
  }
  const ratio = covered / catalogued;
  t.diagnostic(
    `GTFOBins ${FUNCTIONS.join('/')} examples: ${total}; of ${catalogueNames.size} catalogued binaries: ${catalogued} argument-visible (+${excluded.length} excluded); recognised: ${covered} (${(ratio * 100).toFixed(1)}%)`,
  );
  for (const e of excluded) t.diagnostic(`excluded: ${e}`);
  for (const u of uncovered) t.diagnostic(`not recognised: ${u}`);
  assert.ok(catalogueNames.size >= 60, `only ${catalogueNames.size} GTFOBins binaries catalogued`);
  assert.ok(ratio >= FLOOR, `coverage ${ratio.toFixed(3)} below ${FLOOR}`);
});
