import type { MiddlewareHandler } from 'hono';

/**
 * CORS on the API as Prometheus sets it with its default `--web.cors.origin='.*'`: every answer
 * varies by Origin, and a request that has one is allowed from anywhere (browser-side clients such
 * as Grafana's "browser" access mode). Preflight OPTIONS requests get 204.
 */
export function apiCors(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS') {
      const headers = new Headers({ vary: 'Origin' });
      if (origin !== undefined && origin !== '') setCorsHeaders(headers);
      return new Response(null, { status: 204, headers });
    }
    await next();
    c.res.headers.append('vary', 'Origin');
    if (origin !== undefined && origin !== '') setCorsHeaders(c.res.headers);
  };
}

function setCorsHeaders(headers: Headers): void {
  headers.set('access-control-allow-headers', 'Accept, Authorization, Content-Type, Origin');
  headers.set('access-control-allow-methods', 'GET, POST, OPTIONS');
  headers.set('access-control-expose-headers', 'Date');
  headers.set('access-control-allow-origin', '*');
}
