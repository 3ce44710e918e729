/** Builds the remote-write requests of the generated workload (bench/lib/workload.ts). */
import { encodeLabels, snappyRequest } from './remote-write.ts';
import type { EncodedSeries } from './remote-write.ts';
import { ValueGenerator, seriesLabels } from './workload.ts';

export const SCRAPE_INTERVAL_MS = 15_000;

/**
 * Requests for `numSeries` series, `seriesPerRequest` per request, `samplesPerSeries` samples per
 * series in each request. Request k covers series chunk k mod chunks for round ⌊k / chunks⌋; round r
 * carries steps r·samplesPerSeries … with timestamps t0 + step × 15 s. Labels are encoded once per
 * series (kept) or on the fly (`cacheLabels` false, for a million series).
 */
export class RequestBuilder {
  readonly chunks: number;
  private readonly labelCache: (Buffer | undefined)[];
  private readonly values: ValueGenerator;

  constructor(
    readonly numSeries: number,
    readonly seriesPerRequest: number,
    readonly samplesPerSeries: number,
    readonly t0: number,
    private readonly cacheLabels = true,
    readonly firstSeries = 0,
  ) {
    this.chunks = Math.ceil(numSeries / seriesPerRequest);
    this.labelCache = new Array(cacheLabels ? numSeries : 0);
    this.values = new ValueGenerator(firstSeries + numSeries);
  }

  private labels(i: number): Buffer {
    if (!this.cacheLabels) return encodeLabels(seriesLabels(i));
    let buf = this.labelCache[i - this.firstSeries];
    if (buf === undefined) {
      buf = encodeLabels(seriesLabels(i));
      this.labelCache[i - this.firstSeries] = buf;
    }
    return buf;
  }

  /** Samples in request k. */
  samplesIn(k: number): number {
    const chunk = k % this.chunks;
    const n = Math.min(this.seriesPerRequest, this.numSeries - chunk * this.seriesPerRequest);
    return n * this.samplesPerSeries;
  }

  build(k: number): Buffer {
    const chunk = k % this.chunks;
    const round = Math.floor(k / this.chunks);
    const from = this.firstSeries + chunk * this.seriesPerRequest;
    const to = Math.min(this.firstSeries + this.numSeries, from + this.seriesPerRequest);
    const series: EncodedSeries[] = [];
    for (let i = from; i < to; i++) {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let s = 0; s < this.samplesPerSeries; s++) {
        const step = round * this.samplesPerSeries + s;
        timestamps.push(this.t0 + step * SCRAPE_INTERVAL_MS);
        values.push(this.values.valueAt(i, step));
      }
      series.push({ labels: this.labels(i), timestamps, values });
    }
    return snappyRequest(series);
  }
}

/** A scrape-aligned start time `rounds` intervals before now (so the newest sample is about now). */
export function alignedStart(steps: number): number {
  const now = Math.floor(Date.now() / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS;
  return now - steps * SCRAPE_INTERVAL_MS;
}
