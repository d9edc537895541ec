import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is a static bundle in dist-web/, served by `execguard serve` at / (same origin as the
// API, so no CORS and no proxy). `npm run dev -w packages/console` proxies /v1 to a local server.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist-web', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  logLevel: 'warn',
  server: { proxy: { '/v1': 'http://127.0.0.1:8443', '/openapi.json': 'http://127.0.0.1:8443' } },
});
