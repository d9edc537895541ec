import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { loadDpkg } from './dpkg.js';

const noDpkg = !existsSync('/var/lib/dpkg/info') && 'no dpkg database on this host';

test('a database read for some paths answers them exactly as the whole database does', { skip: noDpkg }, () => {
  const scope = ['/usr/bin', '/usr/lib/x86_64-linux-gnu', '/sbin'];
  const scoped = loadDpkg(undefined, undefined, { scope });
  const whole = loadDpkg();
  let owned = 0;
  let withMd5 = 0;
  for (const dir of ['/usr/bin', '/usr/lib/x86_64-linux-gnu', '/usr/sbin'].filter(existsSync)) {
    for (const name of readdirSync(dir)) {
      // /usr/sbin is in scope only through the /sbin alias (merged /usr)
      const path = dir === '/usr/sbin' && existsSync('/sbin') ? `/sbin/${name}` : `${dir}/${name}`;
      const expected = whole.lookup(path);
      assert.deepEqual(scoped.lookup(path), expected, path);
      if (expected) owned++;
      if (expected?.md5) withMd5++;
    }
  }
  assert.ok(owned > 100 && withMd5 > 100, `${owned} package files, ${withMd5} with an MD5`);
  assert.equal(scoped.lookup('/etc/passwd'), undefined, 'out of scope');
});
