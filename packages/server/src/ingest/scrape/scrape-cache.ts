/**
 * Per-target cache, the counterpart of Prometheus's scrapeCache: the series text exactly as the target
 * wrote it (`name{labels}`) maps to the final label set (target labels merged, metric relabeling done)
 * and the storage ref, so a series seen before costs no label work. It also remembers which texts
 * metric relabeling dropped, and which series the current and the previous scrape wrote, for
 * staleness markers.
 *
 * Steady-state scrapes cost no map operation per sample: targets write their series in the same
 * order every time, so the cache keeps the previous scrape's order and predicts each next series
 * (`predicted()`), which the parser confirms by comparing the text in place; and staleness is kept
 * with iteration numbers on the entries instead of per-scrape sets.
 */
import { detach } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';

export interface CacheEntry {
  ref: number;
  labels: Labels;
  /** The series text (a detached copy: it keeps no scrape body alive). */
  readonly text: string;
  /** The scrape iteration that last saw this text. */
  lastIter: number;
  /** The iteration whose scrape wrote this series and tracks it for staleness (-1: none). */
  staleIter: number;
  /** Position in the order of the scrape that last saw it (see `predicted()`). */
  orderIndex: number;
  /** Removed from the cache (flushed): never predicted again. */
  dead: boolean;
}

function newEntry(text: string, ref: number, labels: Labels, iter: number): CacheEntry {
  return { ref, labels, text, lastIter: iter, staleIter: -1, orderIndex: -1, dead: false };
}

export class SeriesCache {
  /** Current scrape iteration. */
  iter = 0;
  /**
   * The exposition format of the scrape whose order predicted() follows (set by the loop); a text
   * valid in one format may not be in the other, so predictions are only made within one format.
   */
  orderFormat = '';
  /** Cache size after the last successful scrape (for the forced-flush heuristic). */
  private successfulCount = 0;
  private readonly series = new Map<string, CacheEntry>();
  private readonly dropped = new Map<string, number>();
  /** Distinct series texts and dropped texts seen by the current scrape (a flush has nothing to do when all were). */
  private seenSeries = 0;
  private seenDropped = 0;
  /** Entries the current and the previous scrape wrote (and track for staleness), in the order written. */
  private trackedCur: CacheEntry[] = [];
  private trackedPrev: CacheEntry[] = [];
  /** Entries in the order the current scrape saw them, and in the order of the last successful scrape. */
  private orderCur: CacheEntry[] = [];
  private orderPrev: CacheEntry[] = [];
  /** Index in orderPrev of the entry expected next. */
  private cursor = 0;

  /**
   * A fresh cache that only keeps `from`'s staleness state: for a loop replacing another whose
   * settings may change the series, so its first scrape marks stale what the old loop wrote and the
   * new one no longer does.
   */
  static inheritStaleness(from: SeriesCache): SeriesCache {
    const cache = new SeriesCache();
    for (const entry of from.trackedPrev) {
      const copy = newEntry(entry.text, entry.ref, entry.labels, -1);
      copy.dead = true;
      cache.trackedPrev.push(copy);
    }
    return cache;
  }

  get size(): number {
    return this.series.size;
  }

  /** The entry for a series text; undefined when not cached. The caller then calls `see()`. */
  get(text: string): CacheEntry | undefined {
    return this.series.get(text);
  }

  /**
   * The entry the previous successful scrape had after the last one seen, if still cached: the
   * series this scrape most likely writes next.
   */
  predicted(): CacheEntry | undefined {
    const entry = this.orderPrev[this.cursor];
    return entry === undefined || entry.dead ? undefined : entry;
  }

  /** Records that the current scrape saw `entry`; returns true when it had already seen it (a duplicate series). */
  see(entry: CacheEntry): boolean {
    const iter = this.iter;
    if (entry.lastIter === iter) return true;
    entry.lastIter = iter;
    this.seenSeries++;
    // Follow the previous order from this entry on (series inserted or removed since then).
    const previous = entry.orderIndex;
    this.cursor = this.orderPrev[previous] === entry ? previous + 1 : this.cursor;
    entry.orderIndex = this.orderCur.length;
    this.orderCur.push(entry);
    return false;
  }

  add(text: string, ref: number, labels: Labels): CacheEntry {
    // Texts and labels are cut from the scrape body; detached copies let the body be collected.
    const entry = newEntry(detach(text), ref, labels.map(detach), this.iter);
    const replaced = this.series.get(entry.text);
    if (replaced !== undefined) replaced.dead = true;
    else this.seenSeries++;
    this.series.set(entry.text, entry);
    entry.orderIndex = this.orderCur.length;
    this.orderCur.push(entry);
    return entry;
  }

  isDropped(text: string): boolean {
    const iter = this.dropped.get(text);
    if (iter === undefined) return false;
    if (iter !== this.iter) {
      this.dropped.set(text, this.iter);
      this.seenDropped++;
    }
    return true;
  }

  addDropped(text: string): void {
    const key = detach(text);
    if (this.dropped.get(key) !== this.iter) this.seenDropped++;
    this.dropped.set(key, this.iter);
  }

  /** The store handed back another ref (it garbage-collected and recreated the series): follow it. */
  updateRef(entry: CacheEntry, ref: number): void {
    entry.ref = ref;
  }

  trackStaleness(entry: CacheEntry): void {
    if (entry.staleIter === this.iter) return;
    entry.staleIter = this.iter;
    this.trackedCur.push(entry);
  }

  /** Forgets the series the current (failed, rolled back) scrape tracked. */
  resetCurrent(): void {
    const tracked = this.trackedCur;
    for (let i = 0; i < tracked.length; i++) tracked[i].staleIter = -1;
    tracked.length = 0;
  }

  /** Series of the previous scrape that the current one did not write, each series (ref) once. */
  forEachStale(fn: (entry: CacheEntry) => void): void {
    const prev = this.trackedPrev;
    const iter = this.iter;
    let refs: Set<number> | null = null;
    for (let i = 0; i < prev.length; i++) {
      const entry = prev[i];
      if (entry.staleIter === iter) continue;
      // Several texts can share a series (ref): it is stale only if none of them was written now.
      if (refs === null) {
        refs = new Set<number>();
        const cur = this.trackedCur;
        for (let j = 0; j < cur.length; j++) refs.add(cur[j].ref);
      }
      if (refs.has(entry.ref)) continue;
      refs.add(entry.ref);
      fn(entry);
    }
  }

  /**
   * Ends a scrape iteration. `flush` (after a successful, non-empty scrape) drops cache entries this
   * scrape did not see; a cache that more than doubled since the last success is flushed anyway.
   * Returns true when such a forced flush happened.
   */
  iterDone(flush: boolean): boolean {
    let forced = false;
    const successful = flush;
    const count = this.series.size + this.dropped.size;
    if (flush) this.successfulCount = count;
    else if (count > this.successfulCount * 2 + 1000) {
      flush = true;
      forced = true;
    }
    const iter = this.iter;
    if (flush && this.seenSeries < this.series.size) {
      this.series.forEach((entry, text, map) => {
        if (entry.lastIter === iter) return;
        entry.dead = true;
        map.delete(text);
      });
    }
    if (flush && this.seenDropped < this.dropped.size) {
      this.dropped.forEach((seen, text, map) => {
        if (seen !== iter) map.delete(text);
      });
    }
    this.seenSeries = 0;
    this.seenDropped = 0;

    const prev = this.trackedPrev;
    this.trackedPrev = this.trackedCur;
    this.trackedCur = prev;
    prev.length = 0;

    // The order of a failed or empty scrape predicts nothing: keep the last successful one's.
    const order = this.orderPrev;
    if (successful) {
      this.orderPrev = this.orderCur;
      this.orderCur = order;
    }
    this.orderCur.length = 0;
    this.cursor = 0;
    this.iter++;
    return forced;
  }
}
