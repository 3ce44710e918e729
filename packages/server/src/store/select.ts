import { METRIC_NAME } from '../model/index.ts';
import type { LabelMatcher, Labels } from '../model/index.ts';

/** True when every matcher accepts the series (an absent label is the empty string). */
export function seriesMatches(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  for (const matcher of matchers) {
    let value = '';
    for (let i = 0; i < labels.length; i += 2) {
      if (labels[i] === matcher.name) {
        value = labels[i + 1];
        break;
      }
    }
    if (!matcher.matches(value)) return false;
  }
  return true;
}

/** A label set the store accepts: non-empty, a metric name, sorted unique names, no empty values. */
export function validLabels(labels: Labels): boolean {
  if (labels.length === 0 || labels.length % 2 !== 0) return false;
  let hasName = false;
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === '' || labels[i + 1] === '') return false;
    if (i > 0 && labels[i - 2] >= labels[i]) return false;
    if (labels[i] === METRIC_NAME) hasName = true;
  }
  return hasName;
}
