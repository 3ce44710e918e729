/**
 * Completed head chunks, packed into large pages instead of one small buffer each. A chunk is
 * addressed by (page, offset, length); pages are dropped whole once every chunk in them has been
 * written to a block, and a page that is mostly dead is compacted by the head's truncation.
 */
export class ChunkPool {
  private readonly pageSize: number;
  pages: (Uint8Array | null)[] = [];
  /** Live bytes per page, to know when a page can go. */
  liveBytes: number[] = [];
  private current = -1;
  private readonly adopted = new Map<ArrayBufferLike, number>();
  private used = 0;

  constructor(pageSize = 1 << 22) {
    this.pageSize = pageSize;
  }

  /** Copies `bytes` into the pool; returns the page index and writes the offset into `out[0]`. */
  add(bytes: Uint8Array, out: Uint32Array): number {
    const length = bytes.length;
    if (this.current < 0 || this.used + length > this.pageSize) {
      this.current = this.pages.length;
      this.pages.push(new Uint8Array(Math.max(this.pageSize, length)));
      this.liveBytes.push(0);
      this.used = 0;
    }
    const page = this.pages[this.current] as Uint8Array;
    page.set(bytes, this.used);
    out[0] = this.used;
    this.used += length;
    this.liveBytes[this.current] += length;
    return this.current;
  }

  /**
   * Uses the buffer that `bytes` is a view of as a page of its own, without copying (chunks restored
   * from a head chunk file stay in the file's buffer); returns the page and writes the offset of
   * `bytes` into `out[0]`. The page goes when its last chunk is released.
   */
  adopt(bytes: Uint8Array, out: Uint32Array): number {
    return this.adoptRange(bytes, 0, bytes.length, out);
  }

  /** Like `adopt` for the chunk at `data[offset, offset + length)`, without a view of it. */
  adoptRange(data: Uint8Array, offset: number, length: number, out: Uint32Array): number {
    let page = this.adopted.get(data.buffer);
    if (page === undefined || this.pages[page] === null) {
      page = this.pages.length;
      this.pages.push(new Uint8Array(data.buffer));
      this.liveBytes.push(0);
      this.adopted.set(data.buffer, page);
    }
    out[0] = data.byteOffset + offset;
    this.liveBytes[page] += length;
    return page;
  }

  /** Forgets which buffers were adopted (after startup), so their pages can be collected. */
  endAdoption(): void {
    this.adopted.clear();
  }

  view(page: number, offset: number, length: number): Uint8Array {
    const bytes = this.pages[page];
    if (bytes === null || bytes === undefined) throw new Error(`chunk page ${page} was released`);
    return bytes.subarray(offset, offset + length);
  }

  release(page: number, length: number): void {
    this.liveBytes[page] -= length;
    if (this.liveBytes[page] <= 0 && page !== this.current) {
      this.pages[page] = null;
      this.liveBytes[page] = 0;
    }
  }

  get bytesAllocated(): number {
    let total = 0;
    for (const page of this.pages) if (page !== null) total += page.length;
    return total;
  }
}
