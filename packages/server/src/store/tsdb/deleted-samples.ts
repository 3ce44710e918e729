/** A position in a series' deleted intervals; only moves forward, as the samples filtered do. */
export interface IntervalCursor {
  interval: number;
}

/**
 * Bulk filtering for the block and head iterators: removes from timestamps/values[from, to) (sorted
 * samples) those before `mint` and those inside `deleted` (tombstones: sorted, merged, inclusive
 * [min, max] pairs, flattened), in place, keeping value bits exact; returns the new end. Costs one
 * comparison when nothing is removed, the common case.
 */
export function keepSamples(
  timestamps: Float64Array,
  values: Float64Array,
  from: number,
  to: number,
  mint: number,
  deleted: Float64Array | undefined,
  cursor: IntervalCursor,
): number {
  let read = from;
  while (read < to && timestamps[read] < mint) read++;
  let d = cursor.interval;
  if (deleted !== undefined && read < to) {
    const first = timestamps[read];
    while (d < deleted.length && deleted[d + 1] < first) d += 2;
    cursor.interval = d;
  }
  if (deleted === undefined || read === to || d >= deleted.length || deleted[d] > timestamps[to - 1]) {
    if (read === from) return to;
    timestamps.copyWithin(from, read, to);
    values.copyWithin(from, read, to);
    return from + (to - read);
  }
  let write = from;
  for (; read < to; read++) {
    const t = timestamps[read];
    while (d < deleted.length && deleted[d + 1] < t) d += 2;
    if (d < deleted.length && deleted[d] <= t) continue;
    if (write !== read) {
      timestamps[write] = t;
      values.copyWithin(write, read, read + 1);
    }
    write++;
  }
  cursor.interval = d;
  return write;
}
