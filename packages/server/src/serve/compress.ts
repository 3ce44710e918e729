import { promisify } from 'node:util';
import { deflate, deflateSync, gzip, gzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';

/**
 * Response compression for the API and /federate, as Prometheus compresses them (gzip or deflate,
 * whichever the client's Accept-Encoding prefers, gzip first). Answers of known length — every
 * query answer — are compressed whole, at zlib level 1 (large ones on libuv's thread pool): no web
 * streams on the event loop, and about a quarter of level 6's CPU for answers some 20 % larger. A range
 * answer of a few MB took longer to gzip at the default level than to evaluate. Answers of unknown
 * length are streamed through CompressionStream.
 */

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);
const LEVEL = 1;
/** Up to this size an answer is compressed on the event loop (well under a millisecond); a thread-pool round trip costs more. */
const SYNC_LIMIT = 64 * 1024;
/** Smaller answers go out as they are (as with Hono's compress middleware). */
const THRESHOLD = 1024;
const NO_TRANSFORM = /(?:^|,)\s*?no-transform\s*?(?:,|$)/i;
const VARY_ACCEPT_ENCODING = /(?:^|,)\s*accept-encoding\s*(?:,|$)/i;

type Encoding = 'gzip' | 'deflate';

/** Bodies of responses made by `bufferedResponse`, so compression need not read them back out of the Response. */
const bodies = new WeakMap<Response, Uint8Array>();

/** A response whose whole body is already in memory (query answers): compressed without copying it out again. */
export function bufferedResponse(body: Uint8Array, init: ResponseInit): Response {
  const response = new Response(body, init);
  bodies.set(response, body);
  return response;
}

/** The encoding to answer with: q=1 wins at once, gzip before deflate; otherwise the highest q; a `*` stands for those not named. */
export function selectEncoding(header: string | undefined): Encoding | undefined {
  if (header === undefined) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...parameters] = part.trim().split(';');
    if (name === '') continue;
    let q = 1;
    for (const parameter of parameters) {
      const [key, value] = parameter.trim().split('=');
      if (key.trim().toLowerCase() === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? parsed : 0;
      }
    }
    weights.set(name.trim().toLowerCase(), q);
  }
  const wildcard = weights.get('*');
  let best: { encoding: Encoding; q: number } | undefined;
  for (const encoding of ['gzip', 'deflate'] as const) {
    const q = weights.get(encoding) ?? wildcard ?? 0;
    if (q === 1) return encoding;
    if (q > 0 && (best === undefined || q > best.q)) best = { encoding, q };
  }
  return best?.encoding;
}

export function compressAnswers(): MiddlewareHandler {
  return async function compressAnswer(c, next) {
    await next();
    const response = c.res;
    const length = response.headers.get('Content-Length');
    if (
      response.status === 206 ||
      response.headers.has('Content-Encoding') ||
      response.headers.has('Transfer-Encoding') ||
      c.req.method === 'HEAD' ||
      (length !== null && Number(length) < THRESHOLD) ||
      !COMPRESSIBLE_CONTENT_TYPE_REGEX.test(response.headers.get('Content-Type') ?? '') ||
      NO_TRANSFORM.test(response.headers.get('Cache-Control') ?? '')
    ) {
      return;
    }
    const vary = response.headers.get('Vary');
    if (vary !== '*' && !(vary !== null && VARY_ACCEPT_ENCODING.test(vary))) response.headers.set('Vary', vary !== null ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
    const encoding = selectEncoding(c.req.header('Accept-Encoding'));
    if (encoding === undefined) return;
    // Only a response's headers and status are read when its body is known: reading `body` makes the
    // server's lightweight Response build a full one, which cost more than compressing a small answer.
    const buffered = bodies.get(response);
    if (buffered === undefined && response.body === null) return;
    if (buffered === undefined && length === null) {
      c.res = new Response((response.body as ReadableStream<Uint8Array>).pipeThrough(new CompressionStream(encoding)), response);
      c.res.headers.delete('Content-Length');
    } else {
      const body = buffered ?? Buffer.from(await response.arrayBuffer());
      const compressed =
        body.length <= SYNC_LIMIT
          ? (encoding === 'gzip' ? gzipSync : deflateSync)(body, { level: LEVEL })
          : await (encoding === 'gzip' ? gzipAsync : deflateAsync)(body, { level: LEVEL });
      const headers = new Headers(response.headers);
      headers.set('Content-Length', String(compressed.length));
      // Assigning over a response makes Hono rebuild the new one from the old; this one already has every header.
      c.res = undefined;
      c.res = new Response(compressed, { status: response.status, headers });
    }
    c.res.headers.set('Content-Encoding', encoding);
    const etag = c.res.headers.get('ETag');
    if (etag !== null && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`);
  };
}
