import type { Hono } from 'hono';
import { handleRemoteWrite } from '../ingest/remotewrite/index.ts';
import type { MetadataStore, RemoteWriteMetrics } from '../ingest/remotewrite/index.ts';
import type { Storage } from '../store/index.ts';
import { BodyTooLargeError, readBodyLimited } from './body.ts';

/** `POST /api/v1/write`: the Prometheus remote-write 1.0 receiver. */
export function mountRemoteWriteApi(app: Hono, storage: Storage, metrics: RemoteWriteMetrics, maxBodyBytes: number, metadata?: MetadataStore): void {
  app.post('/api/v1/write', async (c) => {
    let body: Uint8Array;
    try {
      body = await readBodyLimited(c.req.raw, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return c.text(error.message, 413);
      throw error;
    }
    const result = await handleRemoteWrite(
      storage,
      body,
      {
        contentEncoding: c.req.header('content-encoding'),
        contentType: c.req.header('content-type'),
        remoteWriteVersion: c.req.header('x-prometheus-remote-write-version'),
      },
      { maxBodyBytes },
      metrics,
      { metadata },
    );
    return result.status === 204 ? c.body(null, 204) : c.text(result.body, result.status as 400);
  });
}
