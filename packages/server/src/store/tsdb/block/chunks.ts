import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { BufferedFile, CorruptBlockError, getU32, putU32, putUvarint, uvarintSize } from './encoding.ts';
import { CHUNKS_MAGIC, CHUNKS_VERSION, FILE_HEADER_BYTES, MAX_SEGMENT_BYTES, segmentFileName } from './format.ts';

/** Where one chunk record lives: segment sequence (1-based), byte offset, record length. */
export interface ChunkRef {
  seg: number;
  offset: number;
  length: number;
}

function fileHeader(magic: number, version: number): Uint8Array {
  const b = new Uint8Array(FILE_HEADER_BYTES);
  putU32(b, 0, magic);
  b[4] = version;
  return b;
}

/**
 * Writes chunk records into chunks/000001, 000002, … . `add` is synchronous (it only fills memory and
 * returns the record's reference); `maybeFlush` writes the buffered bytes out and must be awaited
 * regularly (after every series) so memory stays bounded.
 */
export class ChunkSegmentWriter {
  private current: BufferedFile | null = null;
  private readonly closing: BufferedFile[] = [];
  private seq = 0;
  private segBytes = 0;
  readonly ref: ChunkRef = { seg: 0, offset: 0, length: 0 };
  private readonly head = new Uint8Array(16);

  constructor(
    private readonly dir: string,
    private readonly maxSegmentBytes = MAX_SEGMENT_BYTES,
  ) {}

  /** Appends a chunk record; returns (in the shared `ref` object) where it went. */
  add(encoding: number, data: Uint8Array): ChunkRef {
    const recordLength = uvarintSize(data.length) + 1 + data.length + 4;
    if (this.current === null || (this.segBytes + recordLength > this.maxSegmentBytes && this.segBytes > FILE_HEADER_BYTES)) {
      if (this.current !== null) this.closing.push(this.current);
      this.seq++;
      this.current = new BufferedFile(join(this.dir, segmentFileName(this.seq)));
      this.current.bytes(fileHeader(CHUNKS_MAGIC, CHUNKS_VERSION));
      this.segBytes = FILE_HEADER_BYTES;
    }
    const f = this.current;
    const head = this.head;
    const n = putUvarint(head, 0, data.length);
    head[n] = encoding;
    f.bytes(head.subarray(0, n + 1));
    f.bytes(data);
    f.u32(crc32(data, crc32(head.subarray(n, n + 1))) >>> 0);
    this.ref.seg = this.seq;
    this.ref.offset = this.segBytes;
    this.ref.length = recordLength;
    this.segBytes += recordLength;
    return this.ref;
  }

  async maybeFlush(): Promise<void> {
    while (this.closing.length > 0) {
      await (this.closing.shift() as BufferedFile).close();
    }
    if (this.current !== null) await this.current.maybeFlush();
  }

  /** Flushes, fsyncs and closes every segment. */
  async close(): Promise<void> {
    await this.maybeFlush();
    if (this.current !== null) await this.current.close();
    this.current = null;
  }

  async abort(): Promise<void> {
    for (const f of this.closing) await f.abort();
    if (this.current !== null) await this.current.abort();
  }
}

const MIN_READAHEAD = 64 << 10;
const MAX_READAHEAD = 1 << 20;

/**
 * Reads chunk records with positioned reads. One read-ahead window: sequential access (series in
 * label order, which is how chunks were written) is served from a buffer that grows up to 1 MiB;
 * every miss allocates a fresh buffer so views handed out earlier stay valid.
 */
export class ChunkReader {
  private readonly fds: number[] = [];
  private readonly sizes: number[] = [];
  private readonly paths: string[] = [];
  private cacheSeg = -1;
  private cacheStart = 0;
  private cache: Buffer = Buffer.alloc(0);
  private readahead = MIN_READAHEAD;
  private closed = false;

  private constructor() {}

  /** Opens every segment file under `chunksDir` and checks their headers. */
  static async open(chunksDir: string): Promise<ChunkReader> {
    const r = new ChunkReader();
    let names: string[];
    try {
      names = (await readdir(chunksDir)).filter((n) => /^\d{6}$/.test(n)).sort();
    } catch (error) {
      throw new CorruptBlockError(chunksDir, 0, `cannot list chunk segments: ${(error as Error).message}`);
    }
    try {
      for (let i = 0; i < names.length; i++) {
        const path = join(chunksDir, names[i]);
        if (names[i] !== segmentFileName(i + 1)) {
          throw new CorruptBlockError(path, 0, `expected segment ${segmentFileName(i + 1)} (segments must be numbered 1…n without gaps)`);
        }
        const fd = openSync(path, 'r');
        r.fds.push(fd);
        r.paths.push(path);
        const size = fstatSync(fd).size;
        r.sizes.push(size);
        const head = Buffer.alloc(FILE_HEADER_BYTES);
        const got = size >= FILE_HEADER_BYTES ? readSync(fd, head, 0, FILE_HEADER_BYTES, 0) : 0;
        if (got !== FILE_HEADER_BYTES) throw new CorruptBlockError(path, 0, 'file shorter than its header');
        if (getU32(head, 0) !== CHUNKS_MAGIC) throw new CorruptBlockError(path, 0, 'bad magic number');
        if (head[4] !== CHUNKS_VERSION) throw new CorruptBlockError(path, 4, `unsupported version ${head[4]}`);
      }
    } catch (error) {
      r.close();
      throw error;
    }
    return r;
  }

  get segmentCount(): number {
    return this.fds.length;
  }

  segmentPath(seg: number): string {
    return this.paths[seg - 1] ?? `chunk segment ${seg}`;
  }

  segmentSize(seg: number): number {
    return this.sizes[seg - 1] ?? -1;
  }

  totalBytes(): number {
    let n = 0;
    for (const s of this.sizes) n += s;
    return n;
  }

  /** Checks that a reference points inside an existing segment (cheap; no I/O). */
  validRef(seg: number, offset: number, length: number): boolean {
    return seg >= 1 && seg <= this.fds.length && offset >= FILE_HEADER_BYTES && offset + length <= this.sizes[seg - 1];
  }

  /**
   * Reads one record, verifies length, encoding and CRC, and returns a view of the chunk data. The
   * view stays valid (buffers are never reused) but may share memory with neighbouring chunks: slice
   * it when keeping it long. `encodingOut[0]` receives the encoding byte.
   */
  read(seg: number, offset: number, length: number, encodingOut?: Uint8Array): Uint8Array {
    if (this.closed) throw new Error('chunk reader is closed');
    const path = this.paths[seg - 1] ?? `segment ${seg}`;
    if (!this.validRef(seg, offset, length)) {
      throw new CorruptBlockError(path, offset, `chunk reference (segment ${seg}, ${length} bytes) is outside the segment files`);
    }
    let buf = this.cache;
    let start = offset - this.cacheStart;
    if (seg !== this.cacheSeg || start < 0 || start + length > buf.length) {
      const sequential = seg === this.cacheSeg && offset >= this.cacheStart + buf.length - MIN_READAHEAD && offset <= this.cacheStart + buf.length + MIN_READAHEAD;
      this.readahead = sequential ? Math.min(MAX_READAHEAD, this.readahead * 2) : MIN_READAHEAD;
      const want = Math.min(Math.max(length, this.readahead), this.sizes[seg - 1] - offset);
      buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = readSync(this.fds[seg - 1], buf, got, want - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      if (got < length) throw new CorruptBlockError(path, offset, 'unexpected end of file');
      this.cache = buf;
      this.cacheSeg = seg;
      this.cacheStart = offset;
      start = 0;
    }
    // uvarint data length
    let p = start;
    let dataLength = 0;
    let mul = 1;
    for (let k = 0; ; k++) {
      if (k === 5 || p >= start + length) throw new CorruptBlockError(path, offset, 'bad chunk length varint');
      const b = buf[p++];
      dataLength += (b & 127) * mul;
      mul *= 128;
      if (b < 128) break;
    }
    if (p - start + 1 + dataLength + 4 !== length) {
      throw new CorruptBlockError(path, offset, `chunk length ${dataLength} does not match the index (record of ${length} bytes)`);
    }
    const end = p + 1 + dataLength;
    const want = getU32(buf, end);
    const got = crc32(buf.subarray(p, end)) >>> 0;
    if (want !== got) throw new CorruptBlockError(path, offset, `chunk CRC mismatch (stored ${want.toString(16)}, computed ${got.toString(16)})`);
    if (encodingOut !== undefined) encodingOut[0] = buf[p];
    return buf.subarray(p + 1, end);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.fds) closeSync(fd);
    this.cache = Buffer.alloc(0);
  }
}
