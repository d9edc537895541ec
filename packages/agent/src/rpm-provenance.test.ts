// The enforcer allows a program by RPM package provenance: the agent reads rpm's database (here a
// private one, bind-mounted over /var/lib/rpm inside the sandbox's mount namespace), and a file is
// allowed only while its content matches rpm's SHA-256. Needs root and rpm; skipped elsewhere.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Sandbox, sandboxSupported } from './index.js';

const support = sandboxSupported();
const hasRpm = spawnSync('rpmbuild', ['--version']).status === 0 && spawnSync('rpm', ['--version']).status === 0;
const skip = !support.ok
  ? `cannot enforce here: ${support.why}`
  : !hasRpm
    ? 'rpm and rpmbuild not installed (apt-get install rpm)'
    : !existsSync('/var/lib/rpm') && 'no /var/lib/rpm to mount a test database over';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'dist', 'main.js');

/** An rpm owning `files` (absolute paths; content from `content`), recorded in a database of its own (--justdb). */
function recordPackage(dir: string, files: Record<string, string>): string {
  const top = join(dir, 'rpmbuild');
  const src = join(dir, 'content');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  mkdirSync(src);
  const install = Object.entries(files).map(([path, from], i) => {
    copyFileSync(from, join(src, String(i)));
    return `mkdir -p %{buildroot}${dirname(path)} && install -m 0755 ${join(src, String(i))} %{buildroot}${path}`;
  });
  writeFileSync(
    join(top, 'SPECS', 'demo.spec'),
    [
      'Name: eg-demo',
      'Version: 1.0',
      'Release: 1',
      'Summary: ExecGuard provenance test package',
      'License: MIT',
      '%global __os_install_post %{nil}',
      '%global debug_package %{nil}',
      '%description',
      'Test.',
      '%install',
      ...install,
      '%files',
      ...Object.keys(files),
      '',
    ].join('\n'),
  );
  const built = spawnSync('rpmbuild', ['--define', `_topdir ${top}`, '-bb', join(top, 'SPECS', 'demo.spec')], {
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, built.stderr);
  const rpm = spawnSync('find', [join(top, 'RPMS'), '-name', '*.rpm'], { encoding: 'utf8' }).stdout.trim();
  const db = join(dir, 'rpmdb');
  mkdirSync(db);
  const recorded = spawnSync('rpm', ['--dbpath', db, '-i', '--justdb', '--nodeps', '--noscripts', '--ignorearch', rpm], {
    encoding: 'utf8',
  });
  assert.equal(recorded.status, 0, recorded.stderr);
  return db;
}

type Recorded = {
  process?: { executable?: string };
  event?: { outcome?: string };
  execguard?: { process?: { package?: { manager: string; name: string; verified: boolean } } };
};

test('an rpm package rule allows the files rpm installed, as long as they match rpm’s digest', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-rpm-provenance-'));
  const place = Sandbox.plan();
  try {
    const stage = join(dir, 'stage');
    mkdirSync(join(stage, 'pkg'), { recursive: true });
    copyFileSync('/usr/bin/true', join(stage, 'pkg', 'tool'));
    // Recorded by rpm with the content of `true`; in the sandbox it holds other bytes.
    writeFileSync(join(stage, 'pkg', 'changed'), Buffer.concat([readFileSync('/usr/bin/true'), Buffer.from('x')]), {
      mode: 0o755,
    });
    copyFileSync('/usr/bin/true', join(stage, 'pkg', 'unpackaged'));
    const db = recordPackage(dir, {
      [`${place.scratch}/pkg/tool`]: '/usr/bin/true',
      [`${place.scratch}/pkg/changed`]: '/usr/bin/true',
    });
    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({
        apiVersion: 'execguard.io/v1',
        kind: 'Policy',
        metadata: { name: 'rpm-provenance-test', version: 1 },
        defaults: { mode: 'enforce', failMode: 'open' },
        rules: [
          { id: 'allow-system', action: 'allow', match: { program: { path: ['/usr/bin/*'] } } },
          { id: 'allow-rpm', action: 'allow', match: { program: { package: { manager: 'rpm', names: ['eg-demo'] } } } },
        ],
      }),
    );
    const agent = `mount --bind "$EG_TEST_RPMDB" /var/lib/rpm && exec "${process.execPath}" "${CLI}" agent run --policy "${policy}" --events "$EG_SPOOL" --watch "$EG_SCRATCH" --libc "$EG_LIBC" --package-root "$EG_SCRATCH/pkg" --summary-seconds 0`;
    const sb = await Sandbox.start({
      stage,
      policyFile: policy,
      place,
      agentCommand: ['/bin/sh', '-c', agent],
      env: { EG_TEST_RPMDB: db },
    });
    try {
      const tool = sb.run(`${sb.scratch}/pkg/tool`);
      assert.equal(tool.status, 0, `rpm-owned and unchanged: allowed (${tool.stderr})`);
      assert.ok(sb.run(`${sb.scratch}/pkg/changed`).blocked, 'rpm-owned but not what rpm recorded: denied');
      assert.ok(sb.run(`${sb.scratch}/pkg/unpackaged`).blocked, 'same content, but no package owns this path: denied');
      const event = await sb.waitForEvent((e) => (e as Recorded).process?.executable === `${sb.scratch}/pkg/tool`);
      assert.deepEqual((event as Recorded).execguard?.process?.package, { manager: 'rpm', name: 'eg-demo', verified: true });
    } finally {
      sb.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(place.base, { recursive: true, force: true });
  }
});
