import type { MetricMetadata } from './decoder.ts';

/**
 * The metric metadata (type, help, unit) received over remote write, latest entry per metric family.
 * Bounded: once `maxFamilies` families are known, entries for new families are dropped (and counted).
 */
export class MetadataStore {
  private readonly byFamily = new Map<string, MetricMetadata>();
  /** Entries dropped because the store was full. */
  dropped = 0;

  constructor(readonly maxFamilies = 100_000) {}

  set(entry: MetricMetadata): void {
    if (entry.metricFamilyName === '') return;
    if (!this.byFamily.has(entry.metricFamilyName) && this.byFamily.size >= this.maxFamilies) {
      this.dropped++;
      return;
    }
    this.byFamily.set(entry.metricFamilyName, entry);
  }

  get(metricFamilyName: string): MetricMetadata | undefined {
    return this.byFamily.get(metricFamilyName);
  }

  /** All entries, in no particular order. */
  entries(): IterableIterator<MetricMetadata> {
    return this.byFamily.values();
  }

  get size(): number {
    return this.byFamily.size;
  }
}
