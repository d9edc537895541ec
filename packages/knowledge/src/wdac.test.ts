// Every file name in Microsoft's recommended user-mode block rules is a catalogued proxy with
// blockRecommended, so policies built from the catalogue reach Essential Eight ML2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultCatalogue as cat } from './index.js';
import { haveSharedData, sharedData } from './testing.js';

test('every WDAC recommended block-rule file name is a blockRecommended proxy', {
  skip: !haveSharedData && 'no shared data',
}, (t) => {
  const xml = readFileSync(join(sharedData, 'wdac/Recommended_UserMode_Blocklist.xml'), 'utf8');
  const names = new Set([...xml.matchAll(/<Deny\b[^>]*\bFileName="([^"]+)"/g)].map((m) => (m[1] as string).toLowerCase()));
  t.diagnostic(`${names.size} file names in the block rules`);
  assert.ok(names.size >= 40, 'the block list should name dozens of files');
  const missing = [...names].filter(
    (n) =>
      !cat.proxies.some(
        (p) => p.platform === 'windows' && p.name === n && p.blockRecommended === true && p.sources.includes('wdac-block-rules'),
      ),
  );
  assert.deepEqual(missing, []);
});

test('blockRecommended is claimed only for names in the block rules', { skip: !haveSharedData && 'no shared data' }, () => {
  const xml = readFileSync(join(sharedData, 'wdac/Recommended_UserMode_Blocklist.xml'), 'utf8').toLowerCase();
  const extra = cat.proxies.filter((p) => p.blockRecommended && !xml.includes(`filename="${p.name}"`)).map((p) => p.name);
  assert.deepEqual(extra, []);
});
