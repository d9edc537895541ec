import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestFiles } from '../../ingest/ingest.js';
import { checkGolden, DATA } from '../../test-support/golden.js';

for (const fixture of ['record-execve.txt', 'record-perl-reverse-shell.txt', 'security-datasets-arp-cache.log']) {
  test(`auditd: ${fixture} matches its reviewed golden output`, async () => {
    const items = await checkGolden('auditd', fixture);
    assert.ok(items.length > 0);
  });
}

async function events(file: string) {
  const out: Array<{
    event: { sequence?: number };
    process: { args?: string[]; executable?: string; working_directory?: string };
  }> = [];
  for await (const item of ingestFiles([file])) if ('event' in item) out.push(item.event as never);
  return out;
}

test('auditd args equal laurel expected output (hex, split a1[n], enriched 0x1d) for every laurel EXECVE sample', async () => {
  const dir = join(DATA, 'telemetry', 'linux', 'laurel', 'src', 'testdata');
  let compared = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    // laurel's expected files hold one JSON object per line; the EXECVE event is the one with EXECVE.
    const docs = readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    const expected = docs.find((d) => d.EXECVE);
    if (!expected) continue;
    const serial = Number(String(expected.ID).split(':')[1]);
    const got = (await events(join(dir, name.replace(/\.json$/, '.txt')))).find((e) => e.event.sequence === serial);
    assert.ok(got, `${name}: event ${serial} found`);
    assert.deepEqual(got.process.args, expected.EXECVE.ARGV, `${name}: args`);
    if (expected.CWD?.cwd) assert.equal(got.process.working_directory, expected.CWD.cwd, `${name}: cwd`);
    compared++;
  }
  assert.ok(compared >= 4, `compared ${compared} laurel samples`);
});

test('auditd args equal auparse reference output for every EXECVE (up to 216 arguments)', async () => {
  const dir = join(DATA, 'telemetry', 'linux', 'auparse');
  const ref = readFileSync(join(dir, 'auparse_test.ref'), 'utf8');
  // The reference lists, per record, "event time: SEC.MS:SERIAL" then "type=EXECVE" and one "aN=VALUE" per line.
  const expected = new Map<string, string[]>();
  const re = /event time: [\d.]+:(\d+), host=\S+\n\s+type=EXECVE\n\s+argc=\d+\n((?:\s+a\d+=.*\n)+)/g;
  for (let m = re.exec(ref); m; m = re.exec(ref)) {
    const args = [...(m[2] ?? '').matchAll(/^\s+a\d+=(.*)$/gm)].map((a) => {
      const v = a[1] ?? '';
      return v.startsWith('"') ? v.slice(1, -1) : Buffer.from(v, 'hex').toString('utf8');
    });
    expected.set(m[1] ?? '', args);
  }
  assert.ok(expected.size >= 2, `found ${expected.size} EXECVE records in the reference`);
  let compared = 0;
  for (const log of ['test.log', 'test2.log', 'test3.log', 'test4.log']) {
    for (const e of await events(join(dir, log))) {
      const want = expected.get(String(e.event.sequence));
      if (!want) continue;
      assert.deepEqual(e.process.args, want, `${log} serial ${e.event.sequence}`);
      compared++;
    }
  }
  assert.equal(compared, expected.size, 'every reference EXECVE was produced');
});
