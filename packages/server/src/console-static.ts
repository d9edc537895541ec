import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Serves the web console (packages/console/dist-web, built by Vite) at `/`: its files, and
 * index.html for any other GET that is not an API path (the console routes in the URL fragment,
 * so the fallback only matters for reloads of odd URLs). Static files carry no data and need no
 * credentials — every API call the console makes does. Only GET (and Fastify's automatic HEAD).
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Where the built console is in this repository (packages/console/dist-web), or null. */
export function defaultConsoleDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(here, '..', '..', 'console', 'dist-web');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

const API_PREFIXES = ['/v1/', '/v1', '/openapi.json', '/healthz'];

export function registerConsole(app: FastifyInstance, dir: string | null = defaultConsoleDir()): boolean {
  if (dir === null || !existsSync(join(dir, 'index.html'))) return false;
  const root = resolve(dir);
  // The console is small: files are read once, when first asked for, and kept.
  const cache = new Map<string, { body: Buffer; type: string } | null>();
  const load = (rel: string) => {
    if (cache.has(rel)) return cache.get(rel)!;
    const full = normalize(join(root, rel));
    let hit: { body: Buffer; type: string } | null = null;
    if (full.startsWith(root + sep) && existsSync(full) && statSync(full).isFile()) {
      hit = { body: readFileSync(full), type: TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream' };
    }
    if (cache.size < 1000) cache.set(rel, hit);
    return hit;
  };
  const security = (reply: FastifyReply) =>
    reply
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
  const index = (reply: FastifyReply) => {
    const f = load('index.html')!;
    return security(reply).header('cache-control', 'no-cache').type(f.type).send(f.body);
  };
  app.route({
    method: 'GET',
    url: '/',
    config: { roles: 'public' },
    handler: async (_req, reply) => index(reply),
  });
  app.route({
    method: 'GET',
    url: '/*',
    config: { roles: 'public' },
    handler: async (req, reply) => {
      const path = decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/\+/g, ' '));
      if (API_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`)))
        return reply.code(404).send({ error: 'not_found', message: `no route GET ${path}` });
      if (path.includes('\0') || path.split('/').includes('..'))
        return reply.code(400).send({ error: 'bad_request', message: 'invalid path' });
      const f = load(path.replace(/^\/+/, ''));
      if (f) {
        // Vite names assets by content hash: they never change under the same name.
        const immutable = path.startsWith('/assets/');
        return security(reply)
          .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
          .type(f.type)
          .send(f.body);
      }
      // A missing file that looks like one is a 404; anything else is a console URL.
      if (extname(path) !== '') return reply.code(404).send({ error: 'not_found', message: `no file ${path}` });
      return index(reply);
    },
  });
  return true;
}
