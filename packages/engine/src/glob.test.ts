import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globToRegExp, literalPrefixSegments, PathTrie } from './glob.js';

test('globs: * stays in a segment, ** crosses them, ? is one character', () => {
  const m = (g: string, p: string) => globToRegExp(g).test(p);
  assert.equal(m('/usr/bin/*', '/usr/bin/ls'), true);
  assert.equal(m('/usr/bin/*', '/usr/bin/sub/ls'), false);
  assert.equal(m('/opt/**', '/opt/a/b/c'), true);
  assert.equal(m('/opt/**/run.sh', '/opt/run.sh'), true);
  assert.equal(m('/opt/**/run.sh', '/opt/a/b/run.sh'), true);
  assert.equal(m('/bin/l?', '/bin/ls'), true);
  assert.equal(m('/bin/l?', '/bin/lss'), false);
  assert.equal(m('/usr/bin/a.b', '/usr/bin/aXb'), false, 'dots are literal');
  assert.equal(m('/Usr/Bin/x', '/usr/bin/x'), false, 'POSIX paths are case-sensitive');
  assert.equal(m('C:\\Program Files\\Vendor\\*.exe', 'c:/program files/vendor/hmi.EXE'), true, 'Windows paths are not');
});

test('path trie returns every pattern filed under a prefix of the path', () => {
  const trie = new PathTrie<string>(false);
  for (const g of ['/usr/bin/*', '/usr/**', '/opt/vendor/bin/hmi', '/**/x']) trie.insert(literalPrefixSegments(g), g);
  const collect = (path: string) => {
    const hits: string[] = [];
    trie.lookup(path, { add: (items) => hits.push(...items) });
    return hits.sort();
  };
  assert.deepEqual(collect('/usr/bin/ls'), ['/**/x', '/usr/**', '/usr/bin/*']);
  assert.deepEqual(collect('/opt/vendor/bin/hmi'), ['/**/x', '/opt/vendor/bin/hmi']);
});
