import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from './contract.js';
import { openStore } from './open.js';

// A real file (not :memory:) so WAL mode and the file-creating path are what is tested.
storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-store-'));
  const store = await openStore(`sqlite:${join(dir, 'sub', 'execguard.db')}`);
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
