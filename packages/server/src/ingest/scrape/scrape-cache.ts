/**
 * Per-target cache, the counterpart of Prometheus's scrapeCache: the series text exactly as the target
 * wrote it (`name{labels}`) maps to the final label set (target labels merged, metric relabeling done)
 * and the storage ref, so a series seen before costs one map lookup and no label work. It also
 * remembers which texts metric relabeling dropped, and which series refs the current and the previous
 * scrape produced, for staleness markers.
 */
import { detach } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';

export interface CacheEntry {
  ref: number;
  labels: Labels;
  /** The scrape iteration that last saw this text. */
  lastIter: number;
}

export class SeriesCache {
  /** Current scrape iteration. */
  iter = 0;
  /** Cache size after the last successful scrape (for the forced-flush heuristic). */
  private successfulCount = 0;
  private readonly series = new Map<string, CacheEntry>();
  private readonly dropped = new Map<string, number>();
  /** Series refs written by the current scrape and by the previous one, for staleness. */
  private seriesCur = new Map<number, CacheEntry>();
  private seriesPrev = new Map<number, CacheEntry>();

  /**
   * A fresh cache that only keeps `from`'s staleness state: for a loop replacing another whose
   * settings may change the series, so its first scrape marks stale what the old loop wrote and the
   * new one no longer does.
   */
  static inheritStaleness(from: SeriesCache): SeriesCache {
    const cache = new SeriesCache();
    for (const [ref, entry] of from.seriesPrev) cache.seriesPrev.set(ref, { ref: entry.ref, labels: entry.labels, lastIter: -1 });
    return cache;
  }

  get size(): number {
    return this.series.size;
  }

  /** The entry for a series text; undefined when not cached. The caller updates `lastIter`. */
  get(text: string): CacheEntry | undefined {
    return this.series.get(text);
  }

  add(text: string, ref: number, labels: Labels): CacheEntry {
    // Texts and labels are cut from the scrape body; detached copies let the body be collected.
    const entry: CacheEntry = { ref, labels: labels.map(detach), lastIter: this.iter };
    this.series.set(detach(text), entry);
    return entry;
  }

  /** Removes an entry added by a scrape that was then rolled back. */
  remove(text: string, entry: CacheEntry): void {
    if (this.series.get(text) === entry) this.series.delete(text);
  }

  isDropped(text: string): boolean {
    if (!this.dropped.has(text)) return false;
    this.dropped.set(text, this.iter);
    return true;
  }

  addDropped(text: string): void {
    this.dropped.set(detach(text), this.iter);
  }

  /** The store handed back another ref (it garbage-collected and recreated the series): follow it. */
  updateRef(entry: CacheEntry, ref: number): void {
    if (entry.ref === ref) return;
    if (this.seriesPrev.get(entry.ref) === entry) {
      this.seriesPrev.delete(entry.ref);
      this.seriesPrev.set(ref, entry);
    }
    if (this.seriesCur.get(entry.ref) === entry) {
      this.seriesCur.delete(entry.ref);
      this.seriesCur.set(ref, entry);
    }
    entry.ref = ref;
  }

  trackStaleness(entry: CacheEntry): void {
    this.seriesCur.set(entry.ref, entry);
  }

  /** Forgets the series the current (failed, rolled back) scrape tracked. */
  resetCurrent(): void {
    this.seriesCur.clear();
  }

  /** Series of the previous scrape that the current one did not produce. */
  forEachStale(fn: (entry: CacheEntry) => void): void {
    for (const [ref, entry] of this.seriesPrev) if (!this.seriesCur.has(ref)) fn(entry);
  }

  /**
   * Ends a scrape iteration. `flush` (after a successful, non-empty scrape) drops cache entries this
   * scrape did not see; a cache that more than doubled since the last success is flushed anyway.
   * Returns true when such a forced flush happened.
   */
  iterDone(flush: boolean): boolean {
    let forced = false;
    const count = this.series.size + this.dropped.size;
    if (flush) this.successfulCount = count;
    else if (count > this.successfulCount * 2 + 1000) {
      flush = true;
      forced = true;
    }
    if (flush) {
      for (const [text, entry] of this.series) if (entry.lastIter !== this.iter) this.series.delete(text);
      for (const [text, iter] of this.dropped) if (iter !== this.iter) this.dropped.delete(text);
    }
    const prev = this.seriesPrev;
    this.seriesPrev = this.seriesCur;
    this.seriesCur = prev;
    this.seriesCur.clear();
    this.iter++;
    return forced;
  }
}
