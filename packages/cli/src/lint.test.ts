import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Ajv04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'packages', 'cli', 'dist', 'main.js');
const require = createRequire(import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), 'execguard-lint-'));

const WEAK = `apiVersion: execguard.io/v1
kind: Policy
metadata: { name: weak, version: 1 }
defaults: { mode: audit, failMode: open }
rules:
  - id: allow-tmp
    action: allow
    match:
      program: { path: ["/tmp/tools/*"] }
  - id: allow-python-anything
    action: allow
    match:
      program: { package: { manager: dpkg, names: [python3.11-minimal] } }
      inlineCode: true
  - id: deny-nc
    action: deny
    match: { program: { name: [nc] } }
`;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('policy lint: findings with file:line, technique and fix; exit 1 at --fail-on', () => {
  const file = join(tmp, 'weak.yaml');
  writeFileSync(file, WEAK);
  const r = run(['policy', 'lint', file, '--now', '2026-12-01T00:00:00Z']);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /HIGH {4} EG-L001 .*weak\.yaml:9:\d+: Allowed path inside a user-writable location \[T0863\]/);
  assert.match(r.out, /EG-L006 .*weak\.yaml:13:\d+: Inline code allowed/);
  assert.match(r.out, /fix: /);
  assert.equal(run(['policy', 'lint', file, '--fail-on', 'critical']).code, 0);
  const json = JSON.parse(run(['policy', 'lint', file, '--json']).out);
  assert.ok(json.findings.every((f: { techniques: string[]; fix: string }) => Array.isArray(f.techniques) && f.fix.length > 0));
  assert.equal(run(['policy', 'lint', file, '--fail-on', 'bogus']).code, 2);
});

test('policy lint --format sarif is valid SARIF 2.1.0', () => {
  const file = join(tmp, 'weak-sarif.yaml');
  writeFileSync(file, WEAK);
  const r = run(['policy', 'lint', file, '--format', 'sarif', '--now', '2026-12-01T00:00:00Z']);
  assert.equal(r.code, 1, r.err);
  const log = JSON.parse(r.out);
  const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const Ajv = Ajv04 as unknown as typeof Ajv04.default;
  const addFormats = addFormatsModule as unknown as (a: InstanceType<typeof Ajv>) => InstanceType<typeof Ajv>;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }));
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  assert.equal(validate(log), true, JSON.stringify(validate.errors?.slice(0, 5)));
  const results = log.runs[0].results as {
    ruleId: string;
    locations: { physicalLocation: { region?: { startLine: number } } }[];
  }[];
  assert.ok(results.some((x) => x.ruleId === 'EG-L001' && x.locations[0]?.physicalLocation.region?.startLine === 9));
  // The schema check itself must be able to fail.
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: {} }] }), false);
});
