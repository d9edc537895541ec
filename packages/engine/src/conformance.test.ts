// Conformance corpus runner: every spec/cases/*.yaml is a policy whose `tests:` are the executable
// form of spec/semantics.md. Each case becomes one test "<file> › <case name>".
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultCatalogue as catalogue } from '@execguard/knowledge';
import type { DecidedBy, Effect, ExecEvent, Policy, PolicyTest } from '@execguard/schema';
import { formatIssue, parsePolicyText } from '@execguard/schema';
import type { CompiledPolicy } from './index.js';
import { checkExpectation, compile, decide } from './index.js';

// dist/conformance.test.js → packages/engine/dist → repository root → spec/cases
const CASES_DIR = fileURLToPath(new URL('../../../spec/cases/', import.meta.url));
/** The instant for cases that give no `now`. */
const DEFAULT_NOW = '2026-06-01T00:00:00Z';
const MIN_CASES = 100;
const ALL_DECIDED_BY: readonly DecidedBy[] = [
  'non-overridable',
  'exception',
  'deny-rule',
  'allow-rule',
  'maintenance-window',
  'default-deny',
];
const ALL_EFFECTS: readonly Effect[] = ['allowed', 'denied', 'would-deny'];

interface CaseFile {
  readonly file: string;
  readonly text: string;
  readonly policy: Policy | undefined;
  readonly issues: readonly string[];
}

/** 1-based line of a case's `name:` in its file, for failure messages. */
function lineOf(text: string, name: string): number | undefined {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => {
    const m = /^\s*-?\s*name:\s*(.*)$/.exec(l);
    if (!m) return false;
    const v = (m[1] as string).trim().replace(/^(['"])(.*)\1$/, '$2');
    return v === name;
  });
  return i < 0 ? undefined : i + 1;
}

function loadCorpus(): CaseFile[] {
  const files = readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  return files.map((file) => {
    const text = readFileSync(`${CASES_DIR}${file}`, 'utf8');
    const parsed = parsePolicyText(text, `spec/cases/${file}`);
    return parsed.ok
      ? { file, text, policy: parsed.value, issues: [] }
      : { file, text, policy: undefined, issues: parsed.issues.map(formatIssue) };
  });
}

const corpus = loadCorpus();
const seenDecidedBy = new Set<DecidedBy>();
const seenEffects = new Set<Effect>();

function runCase(compiled: CompiledPolicy, file: CaseFile, c: PolicyTest): void {
  const where = `spec/cases/${file.file}:${lineOf(file.text, c.name) ?? '?'}`;
  const d = decide(compiled, c.event as ExecEvent, {
    now: Date.parse(c.now ?? DEFAULT_NOW),
    ...(c.host ? { host: c.host } : {}),
  });
  seenDecidedBy.add(d.decidedBy);
  seenEffects.add(d.effect);
  const problems = checkExpectation(c.expect, d);
  const why = d.reasons.map((r) => `${r.source}: ${r.message}`).join('; ');
  assert.deepEqual(problems, [], `${where}: decided by ${d.decidedBy} (${why})`);
}

for (const file of corpus) {
  if (!file.policy) {
    test(`${file.file} › is a valid policy`, () => {
      assert.fail(`invalid case file:\n  ${file.issues.join('\n  ')}`);
    });
    continue;
  }
  const policy = file.policy;
  let compiled: CompiledPolicy | undefined;
  let compileError: unknown;
  try {
    compiled = compile(policy, { catalogue });
  } catch (e) {
    compileError = e;
  }
  test(`${file.file} › compiles and names its cases uniquely`, () => {
    if (compileError) throw compileError;
    const names = (policy.tests ?? []).map((c) => c.name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
      'duplicate case names',
    );
    assert.ok(names.length > 0, `spec/cases/${file.file} has no tests`);
  });
  for (const c of policy.tests ?? []) {
    test(`${file.file} › ${c.name}`, () => {
      assert.ok(compiled, `spec/cases/${file.file} does not compile`);
      runCase(compiled, file, c);
    });
  }
}

test('corpus: every file is valid and every case states verdict, effect and ruleId', () => {
  assert.ok(corpus.length > 0, `no case files in ${CASES_DIR}`);
  const incomplete: string[] = [];
  for (const f of corpus) {
    assert.deepEqual(f.issues, [], `spec/cases/${f.file} is invalid`);
    for (const c of f.policy?.tests ?? []) {
      const missing = (['verdict', 'effect', 'ruleId'] as const).filter((k) => c.expect[k] === undefined);
      if (missing.length > 0)
        incomplete.push(`spec/cases/${f.file}:${lineOf(f.text, c.name) ?? '?'} ${c.name}: no ${missing.join(', ')}`);
    }
  }
  assert.deepEqual(incomplete, []);
});

test(`corpus: at least ${MIN_CASES} cases`, () => {
  const count = corpus.reduce((n, f) => n + (f.policy?.tests?.length ?? 0), 0);
  assert.ok(count >= MIN_CASES, `only ${count} cases`);
});

// Runs after every case test (node:test runs top-level tests in order).
test('corpus: every decidedBy value and every effect occurs', () => {
  assert.deepEqual(
    ALL_DECIDED_BY.filter((d) => !seenDecidedBy.has(d)),
    [],
    'decidedBy values never decided in the corpus',
  );
  assert.deepEqual(
    ALL_EFFECTS.filter((e) => !seenEffects.has(e)),
    [],
    'effects never produced in the corpus',
  );
});
