import { randomBytes } from 'node:crypto';
import { storeContract } from './contract.js';
import { PostgresStore } from './postgres/index.js';

/**
 * Runs against the PostgreSQL server named by EXECGUARD_TEST_PG (default: the local one, trust
 * auth, database "test"), in a schema of its own that is dropped afterwards.
 */
export const TEST_PG = process.env.EXECGUARD_TEST_PG ?? `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:5432/test`;

storeContract('postgres', async () => {
  const schema = `eg_test_${randomBytes(6).toString('hex')}`;
  const store = await PostgresStore.open({ url: TEST_PG, schema });
  return {
    store,
    dispose: async () => {
      await store.dropSchema();
      await store.close();
    },
  };
});
