import { compareStrings } from '../../../model/index.ts';
import type { LabelMatcher } from '../../../model/index.ts';

/**
 * The head's inverted index: label name → label value → series refs in ascending order. Refs are
 * only ever appended in increasing order, so lists stay sorted without sorting.
 */
export class MemPostings {
  readonly byName = new Map<string, Map<string, number[]>>();

  add(ref: number, name: string, value: string): void {
    let values = this.byName.get(name);
    if (values === undefined) {
      values = new Map();
      this.byName.set(name, values);
    }
    const refs = values.get(value);
    if (refs === undefined) values.set(value, [ref]);
    else refs.push(ref);
  }

  /** Removes the given refs (sorted set) from every list; called rarely, by garbage collection. */
  remove(dead: ReadonlySet<number>): void {
    for (const [name, values] of this.byName) {
      for (const [value, refs] of values) {
        const kept = refs.filter((ref) => !dead.has(ref));
        if (kept.length === 0) values.delete(value);
        else if (kept.length !== refs.length) values.set(value, kept);
      }
      if (values.size === 0) this.byName.delete(name);
    }
  }

  get(name: string, value: string): readonly number[] {
    return this.byName.get(name)?.get(value) ?? EMPTY;
  }

  /** Union of the lists of every value of `name` that the matcher accepts (the matcher must not accept ''). */
  matching(matcher: LabelMatcher): number[] {
    const values = this.byName.get(matcher.name);
    if (values === undefined) return [];
    if (matcher.type === '=') return [...(values.get(matcher.value) ?? EMPTY)];
    const lists: (readonly number[])[] = [];
    for (const [value, refs] of values) if (matcher.matches(value)) lists.push(refs);
    return mergeSorted(lists);
  }

  /** Every series that has label `name` at all. */
  withLabel(name: string): number[] {
    const values = this.byName.get(name);
    return values === undefined ? [] : mergeSorted([...values.values()]);
  }

  labelNames(): string[] {
    return [...this.byName.keys()].sort(compareStrings);
  }

  labelValues(name: string): string[] {
    const values = this.byName.get(name);
    return values === undefined ? [] : [...values.keys()].sort(compareStrings);
  }
}

const EMPTY: readonly number[] = [];

export function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** Removes from `a` every ref present in sorted `b`. */
export function subtractSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    while (j < b.length && b[j] < x) j++;
    if (j >= b.length || b[j] !== x) out.push(x);
  }
  return out;
}

export function mergeSorted(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return [...lists[0]];
  const all: number[] = [];
  for (const list of lists) for (let i = 0; i < list.length; i++) all.push(list[i]);
  all.sort((x, y) => x - y);
  let w = 0;
  for (let r = 0; r < all.length; r++) if (r === 0 || all[r] !== all[r - 1]) all[w++] = all[r];
  all.length = w;
  return all;
}

/**
 * Resolves matchers to a sorted ref list as Prometheus's PostingsForMatchers does: matchers that
 * cannot match the empty string select, the others filter; `allRefs` is used when nothing selects.
 */
export function postingsForMatchers(postings: MemPostings, matchers: readonly LabelMatcher[], allRefs: () => number[]): number[] {
  let result: number[] | null = null;
  const filters: LabelMatcher[] = [];
  for (const matcher of matchers) {
    if (matcher.matchesEmpty()) {
      filters.push(matcher);
      continue;
    }
    const refs = matcher.type === '!=' || matcher.type === '!~' ? null : postings.matching(matcher);
    if (refs === null) {
      // A negative matcher that rejects '' (e.g. `x!=""`) means: has label x, and value not matched.
      const withLabel = postings.withLabel(matcher.name);
      const excluded = postings.matching(matcher.positive());
      const selected = subtractSorted(withLabel, excluded);
      result = result === null ? selected : intersectSorted(result, selected);
    } else {
      result = result === null ? refs : intersectSorted(result, refs);
    }
    if (result.length === 0) return result;
  }
  if (result === null) result = allRefs();
  for (const matcher of filters) {
    // The matcher accepts '': series without the label pass; of those with it, drop rejected values.
    const values = postings.byName.get(matcher.name);
    if (values === undefined) continue;
    const rejected: (readonly number[])[] = [];
    for (const [value, refs] of values) if (!matcher.matches(value)) rejected.push(refs);
    if (rejected.length > 0) result = subtractSorted(result, mergeSorted(rejected));
  }
  return result;
}

