/**
 * Serves the built web UI (packages/ui/dist) at `/`: hashed assets cached forever, `index.html`
 * revalidated on every load, and the single-page app's `index.html` for UI routes so a link such as
 * `/d/<uid>/<slug>?from=now-6h` opens directly. API paths never fall back to the UI.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Context, Hono } from 'hono';

/** Where `npm run build:ui` writes the UI, relative to this file. */
export const DEFAULT_UI_DIRECTORY = resolve(import.meta.dirname, '../../../ui/dist');

export interface UiOptions {
  /** The built UI (a folder holding index.html and assets/); DEFAULT_UI_DIRECTORY when absent. */
  directory?: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

/** Paths owned by the server's APIs: a miss there is the API's 404, never the UI. */
const serverPrefixes = ['/api/', '/-/'];
const serverPaths = new Set(['/api', '/-', '/metrics', '/federate']);

export function isServerPath(path: string): boolean {
  return serverPaths.has(path) || serverPrefixes.some((prefix) => path.startsWith(prefix));
}

interface CachedFile {
  body: Uint8Array;
  gzipped: Uint8Array | null;
  contentType: string;
  modifiedMs: number;
  size: number;
  /** A strong validator of the content, so `no-cache` revalidations answer 304 without a body. */
  etag: string;
}

/** Mounts the UI as the last route of `app`, so every API route registered before it wins. */
export function mountUi(app: Hono, options: UiOptions = {}): void {
  const root = options.directory ?? DEFAULT_UI_DIRECTORY;
  // Files are read once and kept with their gzip form; a rebuild (new mtime or size) is picked up.
  const cache = new Map<string, CachedFile>();

  const load = (file: string): CachedFile | null => {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return null;
    }
    if (!stat.isFile()) return null;
    const cached = cache.get(file);
    if (cached && cached.modifiedMs === stat.mtimeMs && cached.size === stat.size) return cached;
    const body = readFileSync(file);
    const extension = extname(file);
    const entry: CachedFile = {
      body,
      gzipped: compressible.has(extension) && body.length > 1024 ? gzipSync(body) : null,
      contentType: contentTypes[extension] ?? 'application/octet-stream',
      modifiedMs: stat.mtimeMs,
      size: stat.size,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    };
    cache.set(file, entry);
    return entry;
  };

  const send = (c: Context, file: CachedFile, cacheControl: string, status = 200): Response => {
    const acceptsGzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    const headers: Record<string, string> = { 'content-type': file.contentType, 'cache-control': cacheControl, vary: 'accept-encoding', etag: file.etag };
    const validators = (c.req.header('if-none-match') ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    if (validators.includes(file.etag) || validators.includes('*')) return new Response(null, { status: 304, headers });
    const body = file.gzipped && acceptsGzip ? file.gzipped : file.body;
    if (body === file.gzipped) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    return new Response(c.req.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status, headers });
  };

  app.on(['GET', 'HEAD'], '*', (c, next) => {
    const path = c.req.path;
    if (isServerPath(path)) return next();
    const index = join(root, 'index.html');
    if (!existsSync(index)) return c.html(notBuiltPage, 503, { 'cache-control': 'no-store' });

    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return c.text('400 bad request: malformed path\n', 400);
    }
    const file = normalize(join(root, decoded));
    // Never outside the UI folder, whatever `..` the path carries.
    if (file !== root && !file.startsWith(root + sep)) return c.text('404 page not found\n', 404);
    if (decoded !== '/' && decoded !== '/index.html') {
      const asset = load(file);
      if (asset) {
        // Vite names everything under assets/ by content hash: a changed file is a new URL.
        const hashed = decoded.startsWith('/assets/');
        return send(c, asset, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      }
      // A missing file (anything with an extension, or under assets/) is a 404, not the app.
      if (decoded.startsWith('/assets/') || extname(decoded) !== '') return c.text('404 page not found\n', 404);
    }
    const page = load(index);
    if (!page) return c.html(notBuiltPage, 503, { 'cache-control': 'no-store' });
    return send(c, page, 'no-cache');
  });
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil: the web UI is not built</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#8882;padding:2px 4px;border-radius:3px}</style>
</head><body>
<h1>The web UI is not built</h1>
<p>Vigil is running and its APIs answer (for example <a href="/api/v1/status/buildinfo">/api/v1/status/buildinfo</a>
and <a href="/metrics">/metrics</a>), but the dashboards, Explore and alerting pages need the UI bundle.</p>
<p>Build it once from the repository root with <code>npm run build:ui</code> (<code>npm start</code> does this for you),
then reload this page.</p>
</body></html>
`;
