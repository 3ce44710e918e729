import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { BackfillError, backfillStream } from '../ingest/import/index.ts';
import { formatFromContentType } from '../ingest/scrape/exposition/index.ts';
import type { Tsdb } from '../store/tsdb/index.ts';
import { ApiError, failure, success } from './response.ts';
import { join } from 'node:path';

/**
 * `POST /api/v1/import/prometheus`: backfill over HTTP (the path VictoriaMetrics uses). The body is
 * Prometheus text (timestamps in ms) or, with an OpenMetrics content type, OpenMetrics; it is streamed,
 * never held whole. Samples without a timestamp get the request's arrival time.
 */
export function mountImportApi(app: Hono, storage: Tsdb, dataDir: string): void {
  app.post('/api/v1/import/prometheus', async (c) => {
    const body = c.req.raw.body;
    if (body === null) return failure(new ApiError('bad_data', 'empty request body'));
    const format = formatFromContentType(c.req.header('content-type'));
    const stream = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
    const input = c.req.header('content-encoding') === 'gzip' ? stream.pipe((await import('node:zlib')).createGunzip()) : stream;
    try {
      const result = await backfillStream(input, { outputDir: dataDir, format, defaultTimestamp: Date.now() });
      for (const meta of result.blocks) await storage.addBlock(join(dataDir, meta.ulid));
      return success({ samples: result.samples, series: result.series, blocks: result.blocks.map((b) => b.ulid) });
    } catch (error) {
      if (error instanceof BackfillError) return failure(new ApiError('bad_data', error.message));
      throw error;
    }
  });
}
