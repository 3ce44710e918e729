import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BodyTooLarge, PlainHttpConnection } from './plain-http.ts';

/** A raw TCP server on 127.0.0.1 answering each request with `respond` (written in the given pieces). */
let respond: (request: string, socket: net.Socket) => void = () => {};
const requests: string[] = [];
let connections = 0;
let server: net.Server;
let url: URL;

before(async () => {
  server = net.createServer((socket) => {
    connections++;
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const request = pending.slice(0, end + 4);
      pending = pending.slice(end + 4);
      requests.push(request);
      respond(request, socket);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics?a=1`);
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function pieces(socket: net.Socket, parts: string[], then?: 'end'): void {
  let i = 0;
  const next = () => {
    if (i < parts.length) {
      socket.write(parts[i++]);
      setTimeout(next, 2);
    } else if (then === 'end') socket.end();
  };
  next();
}

const get = (connection: PlainHttpConnection, limit = Infinity, signal = new AbortController().signal) => connection.get(url, { accept: 'text/plain', 'user-agent': 'test' }, signal, limit);
const text = (body: Buffer) => body.toString();

describe('PlainHttpConnection', () => {
  it('keeps the bodies of connections that read at the same time apart (their reads share one buffer)', async () => {
    // Large bodies written in pieces, so the reads of the two connections interleave; each the
    // answer to its own request path, so a byte landing in the wrong body shows.
    const body = (tag: string) => Array.from({ length: 4000 }, (_, i) => `${tag}_${i} ${i}\n`).join('');
    respond = (request, socket) => {
      const tag = request.includes('tag=x') ? 'x' : 'y';
      const answer = body(tag);
      const cut = Math.floor(answer.length / 3);
      pieces(socket, [`HTTP/1.1 200 OK\r\nContent-Length: ${answer.length}\r\n\r\n${answer.slice(0, cut)}`, answer.slice(cut, 2 * cut), answer.slice(2 * cut)]);
    };
    const x = new PlainHttpConnection();
    const y = new PlainHttpConnection();
    const headers = { accept: 'text/plain' };
    try {
      for (let round = 0; round < 3; round++) {
        const [a, b] = await Promise.all([
          x.get(new URL('?tag=x', url), headers, new AbortController().signal, Infinity),
          y.get(new URL('?tag=y', url), headers, new AbortController().signal, Infinity),
        ]);
        assert.equal(text(a.body), body('x'));
        assert.equal(text(b.body), body('y'));
      }
    } finally {
      x.close();
      y.close();
    }
  });

  it('sends one GET with the headers, Host and keep-alive, and reuses the connection', async () => {
    const connection = new PlainHttpConnection();
    const connectionsBefore = connections;
    respond = (_request, socket) => pieces(socket, ['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello', ' world']);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await get(connection);
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], 'text/plain');
        assert.equal(text(res.body), 'hello world');
      }
      assert.equal(connections - connectionsBefore, 1);
      assert.equal(requests.at(-1), `GET /metrics?a=1 HTTP/1.1\r\naccept: text/plain\r\nuser-agent: test\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`);
    } finally {
      connection.close();
    }
  });

  it('reads chunked bodies cut anywhere, with extensions and trailers', async () => {
    const connection = new PlainHttpConnection();
    const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: 1\r\n\r\n';
    try {
      for (const cut of [1, 3, 7, 20, raw.length]) {
        const parts: string[] = [];
        for (let i = 0; i < raw.length; i += cut) parts.push(raw.slice(i, i + cut));
        respond = (_request, socket) => pieces(socket, parts);
        const res = await get(connection);
        assert.equal(text(res.body), 'hello 0123456789', `cut ${cut}`);
      }
    } finally {
      connection.close();
    }
  });

  it('reads a body delimited by the connection close, then connects again', async () => {
    const connection = new PlainHttpConnection();
    respond = (_request, socket) => pieces(socket, ['HTTP/1.0 200 OK\r\n\r\nall', ' of it'], 'end');
    try {
      assert.equal(text((await get(connection)).body), 'all of it');
      assert.equal(text((await get(connection)).body), 'all of it');
    } finally {
      connection.close();
    }
  });

  it('returns other statuses without their body, and fails on broken responses', async () => {
    const connection = new PlainHttpConnection();
    try {
      respond = (_request, socket) => pieces(socket, ['HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 5\r\n\r\nmoved']);
      const res = await get(connection);
      assert.deepEqual([res.statusCode, res.statusMessage, res.headers.location, res.body.length], [302, 'Found', '/elsewhere', 0]);
      respond = (_request, socket) => pieces(socket, ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'], 'end');
      await assert.rejects(get(connection), /unexpected EOF/);
      respond = (_request, socket) => pieces(socket, ['SMTP ready\r\n\r\n']);
      await assert.rejects(get(connection), /Parse Error/);
      respond = (_request, socket) => pieces(socket, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']);
      await assert.rejects(get(connection), /Parse Error: Invalid character in chunk size/);
      respond = (_request, socket) => socket.destroy();
      await assert.rejects(get(connection), /socket hang up/);
    } finally {
      connection.close();
    }
  });

  it('stops at the size limit of an uncompressed body, not of a gzip one', async () => {
    const connection = new PlainHttpConnection();
    try {
      respond = (_request, socket) => pieces(socket, ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789']);
      await assert.rejects(get(connection, 10), BodyTooLarge);
      assert.equal((await get(connection, 11)).size, 10);
      respond = (_request, socket) => pieces(socket, ['HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789']);
      assert.equal((await get(connection, 5)).size, 10);
    } finally {
      connection.close();
    }
  });

  it('retries once on a new connection when the kept-alive one fails before answering', async () => {
    const connection = new PlainHttpConnection();
    const connectionsBefore = connections;
    const perSocket = new WeakMap<net.Socket, number>();
    respond = (_request, socket) => {
      const n = (perSocket.get(socket) ?? 0) + 1;
      perSocket.set(socket, n);
      // The second request on a connection finds it gone (as after a server's idle timeout).
      if (n === 2) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    };
    try {
      assert.equal(text((await get(connection)).body), 'ok');
      assert.equal(text((await get(connection)).body), 'ok');
      assert.equal(connections - connectionsBefore, 2);
      // A new connection that fails is not retried.
      respond = (_request, socket) => socket.destroy();
      connection.close();
      await assert.rejects(get(connection), /socket hang up/);
    } finally {
      connection.close();
    }
  });

  it('an abort fails the request and closes the connection', async () => {
    const connection = new PlainHttpConnection();
    respond = () => {};
    try {
      const controller = new AbortController();
      const pending = get(connection, Infinity, controller.signal);
      setTimeout(() => controller.abort(), 10);
      await assert.rejects(pending, /aborted/);
    } finally {
      connection.close();
    }
  });

  it('refuses header values that would split the request', async () => {
    const connection = new PlainHttpConnection();
    await assert.rejects(connection.get(url, { 'x-a': 'b\r\nInjected: 1' }, new AbortController().signal, Infinity), /Invalid character in header content/);
    connection.close();
  });
});
