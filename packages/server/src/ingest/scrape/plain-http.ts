/**
 * A minimal HTTP/1.1 client for plain-http scrape targets: one GET at a time over one keep-alive
 * connection. A scrape is one small request and one body, ten times a second on a busy server, and
 * Node's http client (ClientRequest, OutgoingMessage, IncomingMessage streams, the agent) costs more
 * CPU per scrape than parsing a thousand samples; this does only what a scrape needs: write a
 * pre-rendered request, parse the status line and headers, and collect a Content-Length, chunked or
 * close-delimited body. HTTPS targets keep using Node's https client.
 *
 * Sockets read with `onread` into one buffer shared by every connection (each read is handed to its
 * callback before any other read happens), and the body is copied from there into a buffer the
 * connection reuses from scrape to scrape: no Readable stream machinery and no fresh 64 KiB buffer
 * per read, which cost more per scrape than copying the bytes.
 */
import net from 'node:net';

/** A response: status, headers (names lowercased; a repeated header's first value), raw body. */
export interface PlainResponse {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
  /**
   * The body as received (still compressed if Content-Encoding says so); empty unless status 200.
   * A view of memory the connection reuses: valid until its next get().
   */
  body: Buffer;
  size: number;
}

/**
 * What get() needs of an AbortSignal (one satisfies it): the scrape client passes a lighter object
 * of its own, since an AbortController and its EventTarget per scrape cost more than they do here.
 */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Thrown for a body over the caller's raw-size limit. */
export class BodyTooLarge extends Error {}

const CR = 13;
const LF = 10;
const MAX_HEAD = 64 * 1024;
const INVALID_HEADER_VALUE = /[\r\n\0]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const EMPTY = Buffer.alloc(0);

/**
 * Where every plain connection's socket reads land. Shared: libuv hands each read to its socket's
 * callback synchronously, and the callback copies what it keeps, before any other read happens.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
/** The most body buffer reserved ahead of the bytes, from a Content-Length. */
const MAX_RESERVE = 16 * 1024 * 1024;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

export class PlainHttpConnection {
  private socket: net.Socket | null = null;
  private socketKey = '';
  private requestKey = '';
  private requestHead: Buffer = Buffer.alloc(0);
  /** The bytes of a read go here (the exchange in progress), or nowhere between exchanges. */
  private receive: ((data: Buffer) => void) | null = null;
  /** Where bodies are collected, reused from response to response (see PlainResponse.body). */
  private bodyBuffer: Buffer = EMPTY;

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  /**
   * GETs `url`. Resolves with the response (the body only for status 200); rejects on a network or
   * protocol error, with BodyTooLarge when an uncompressed body reaches `rawLimit` bytes, or when
   * `signal` aborts. A request on a kept-alive connection the server has meanwhile closed is retried once
   * on a new connection.
   */
  async get(url: URL, headers: Readonly<Record<string, string>>, signal: AbortLike, rawLimit: number): Promise<PlainResponse> {
    const head = this.head(url, headers);
    const key = `${url.hostname}\u0000${url.port}`;
    if (this.socket !== null && this.socketKey !== key) this.close();
    const reused = this.socket !== null;
    try {
      return await this.exchange(url, key, head, signal, rawLimit);
    } catch (error) {
      if (!reused || !(error instanceof StaleConnection) || signal.aborted) throw error instanceof StaleConnection ? new Error('socket hang up') : error;
      return await this.exchange(url, key, head, signal, rawLimit).catch((retryError: unknown) => {
        throw retryError instanceof StaleConnection ? new Error('socket hang up') : retryError;
      });
    }
  }

  /** The request bytes, rendered once per URL and header set. */
  private head(url: URL, headers: Readonly<Record<string, string>>): Buffer {
    let key = `${url.host}${url.pathname}${url.search}`;
    for (const name in headers) key += `\u0000${name}\u0000${headers[name]}`;
    if (key === this.requestKey) return this.requestHead;
    let text = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
    let host = false;
    for (const name in headers) {
      const value = headers[name];
      if (!TOKEN.test(name)) throw new TypeError(`Header name must be a valid HTTP token ["${name}"]`);
      if (INVALID_HEADER_VALUE.test(value)) throw new TypeError(`Invalid character in header content ["${name}"]`);
      if (name.toLowerCase() === 'host') host = true;
      text += `${name}: ${value}\r\n`;
    }
    if (!host) text += `Host: ${url.host}\r\n`;
    text += 'Connection: keep-alive\r\n\r\n';
    this.requestKey = key;
    this.requestHead = Buffer.from(text, 'latin1');
    return this.requestHead;
  }

  private exchange(url: URL, key: string, head: Buffer, signal: AbortLike, rawLimit: number): Promise<PlainResponse> {
    return new Promise<PlainResponse>((resolve, reject) => {
      let socket = this.socket;
      const fresh = socket === null;
      if (socket === null) {
        const created = net.connect({
          host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: Number(url.port || 80),
          onread: {
            buffer: READ_BUFFER,
            callback: (length: number, buffer: Uint8Array) => {
              // Bytes between exchanges (none are expected) are dropped, as they were when no 'data' listener was attached.
              if (this.socket === created) this.receive?.(Buffer.from(buffer.buffer, buffer.byteOffset, length));
              return true;
            },
          },
        });
        created.setNoDelay(true);
        // An idle kept-alive connection the server closes (or resets) is just forgotten.
        created.on('error', () => {});
        created.on('close', () => {
          if (this.socket === created) this.socket = null;
        });
        socket = created;
        this.socket = socket;
        this.socketKey = key;
      }
      const s = socket;
      const response: PlainResponse = { statusCode: 0, statusMessage: '', headers: {}, body: EMPTY, size: 0 };
      let state = State.Head;
      let headBytes: Buffer | null = null;
      let remaining = 0;
      let chunkSizeText = '';
      let keepAlive = true;
      let received = false;
      let settled = false;

      const cleanup = () => {
        if (this.receive === onData) this.receive = null;
        s.removeListener('error', onError);
        s.removeListener('close', onClose);
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        cleanup();
        s.destroy();
        if (this.socket === s) this.socket = null;
        reject(error);
      };
      const finish = () => {
        if (settled) return;
        settled = true;
        cleanup();
        if (!keepAlive || state !== State.Done) {
          s.destroy();
          if (this.socket === s) this.socket = null;
        }
        response.body = response.size === 0 ? EMPTY : this.bodyBuffer.subarray(0, response.size);
        resolve(response);
      };
      const onAbort = () => fail(new Error('aborted'));
      const onError = (error: Error) => fail(!received && !fresh ? new StaleConnection(error.message) : error);
      const onClose = () => {
        if (state === State.UntilClose) {
          state = State.Done;
          keepAlive = false;
          finish();
          return;
        }
        if (!received) fail(fresh ? new Error('socket hang up') : new StaleConnection('socket hang up'));
        else fail(new Error('unexpected EOF'));
      };
      // Body bytes are copied out of the shared read buffer at once.
      const body = (data: Buffer) => {
        if (response.statusCode !== 200 || data.length === 0) return;
        const size = response.size + data.length;
        if (size >= rawLimit) throw new BodyTooLarge('body size limit exceeded');
        this.reserve(size, response.size);
        this.bodyBuffer.set(data, response.size);
        response.size = size;
      };
      // The first response byte commits the request: no retry after it.
      const onData = (data: Buffer) => {
        received = true;
        try {
          let at = 0;
          if (state === State.Head) {
            const all: Buffer = headBytes === null ? data : Buffer.concat([headBytes, data]);
            const end = all.indexOf('\r\n\r\n');
            if (end < 0) {
              if (all.length > MAX_HEAD) throw new Error('Parse Error: Header overflow');
              // `data` is the shared read buffer: keep a copy.
              headBytes = all === data ? Buffer.from(data) : all;
              return;
            }
            headBytes = null;
            const next = this.parseHead(all.subarray(0, end), response);
            keepAlive = next.keepAlive;
            data = all;
            at = end + 4;
            if (response.statusCode !== 200) {
              // Only the status and headers matter: the connection is dropped, not drained.
              keepAlive = false;
              state = State.Done;
              finish();
              return;
            }
            // The limit applies to bodies as received only when they are not compressed.
            if (response.headers['content-encoding'] === 'gzip') rawLimit = Infinity;
            if (next.chunked) state = State.ChunkSize;
            else if (next.length >= 0) {
              state = State.Length;
              remaining = next.length;
              // Room for the announced body up front (within reason: a length is only a claim until the bytes arrive).
              if (next.length < rawLimit) this.reserve(Math.min(next.length, MAX_RESERVE), 0);
            } else {
              state = State.UntilClose;
              keepAlive = false;
            }
          }
          while (at < data.length || state === State.Length) {
            if (state === State.Length) {
              const take = Math.min(remaining, data.length - at);
              body(data.subarray(at, at + take));
              at += take;
              remaining -= take;
              if (remaining === 0) state = State.Done;
              break;
            } else if (state === State.UntilClose) {
              body(data.subarray(at));
              at = data.length;
            } else if (state === State.ChunkSize || state === State.ChunkDataEnd || state === State.Trailers) {
              const lf = data.indexOf(LF, at);
              const piece = data.toString('latin1', at, lf < 0 ? data.length : lf);
              chunkSizeText += piece;
              if (chunkSizeText.length > 1024) throw new Error('Parse Error: Invalid character in chunk size');
              if (lf < 0) {
                at = data.length;
                break;
              }
              at = lf + 1;
              let line = chunkSizeText;
              chunkSizeText = '';
              if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
              if (state === State.ChunkDataEnd) {
                if (line !== '') throw new Error('Parse Error: Expected LF after chunk data');
                state = State.ChunkSize;
              } else if (state === State.Trailers) {
                if (line === '') state = State.Done;
              } else {
                const semi = line.indexOf(';');
                const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
                if (!/^[0-9a-fA-F]{1,15}$/.test(hex)) throw new Error('Parse Error: Invalid character in chunk size');
                remaining = parseInt(hex, 16);
                state = remaining === 0 ? State.Trailers : State.ChunkData;
              }
            } else if (state === State.ChunkData) {
              const take = Math.min(remaining, data.length - at);
              body(data.subarray(at, at + take));
              at += take;
              remaining -= take;
              if (remaining === 0) state = State.ChunkDataEnd;
            } else {
              break;
            }
          }
          if (state === State.Done) finish();
        } catch (error) {
          fail(error as Error);
        }
      };

      this.receive = onData;
      s.on('error', onError);
      s.on('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
      s.write(head);
    });
  }

  /** Makes the body buffer hold at least `size` bytes, keeping its first `keep`. */
  private reserve(size: number, keep: number): void {
    const current = this.bodyBuffer;
    if (current.length >= size) return;
    const next = Buffer.allocUnsafe(Math.max(size, current.length * 2, 16 * 1024));
    if (keep > 0) current.copy(next, 0, 0, keep);
    this.bodyBuffer = next;
  }

  /** Parses the status line and headers; returns how the body is delimited. */
  private parseHead(head: Buffer, response: PlainResponse): { length: number; chunked: boolean; keepAlive: boolean } {
    const lines = head.toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (status === null) throw new Error('Parse Error: Expected HTTP/');
    response.statusCode = Number(status[2]);
    response.statusMessage = status[3] ?? '';
    let keepAlive = status[1] === '1';
    let length = -1;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) throw new Error('Parse Error: Invalid header token');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length >= 0 && Number(value) !== length)) throw new Error('Parse Error: Invalid Content-Length');
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = /(^|,)\s*chunked\s*$/i.test(value);
      } else if (name === 'connection') {
        const tokens = value.toLowerCase();
        if (tokens.includes('close')) keepAlive = false;
        else if (tokens.includes('keep-alive')) keepAlive = true;
      }
      if (response.headers[name] === undefined) response.headers[name] = value;
    }
    if (chunked) length = -1;
    return { length, chunked, keepAlive };
  }
}

/** A kept-alive connection failed before any response byte: the request may be retried. */
class StaleConnection extends Error {}
