/**
 * Prometheus annotation queries: each series of the answer marks events where its value is non-zero;
 * consecutive points merge into one region, as Grafana's Prometheus data source does.
 */
import { queryRange } from '../../api/prometheus.ts';
import { parseInterval } from '../../components/format/time.ts';
import type { AnnotationQuery } from './model.ts';
import { formatLegend } from './panel-data.ts';
import { interpolate } from './variables.ts';
import type { BuiltinValues, VariableState } from './variables.ts';

export interface AnnotationEvent {
  timeMs: number;
  /** Equal to timeMs for a point in time. */
  endMs: number;
  color: string;
  title: string;
  text: string;
  tags: string[];
}

/** Turns one answer into events: runs of non-zero points no further apart than one step. */
export function annotationEvents(query: AnnotationQuery, series: { metric: Record<string, string>; values?: [number, string][] }[], stepMs: number): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const entry of series) {
    const title = formatLegend(query.titleFormat, entry.metric);
    const text = query.textFormat === '' ? '' : formatLegend(query.textFormat, entry.metric);
    const tags = query.tagKeys.map((key) => entry.metric[key]).filter((value): value is string => value !== undefined && value !== '');
    let current: AnnotationEvent | null = null;
    for (const [seconds, value] of entry.values ?? []) {
      const number = Number.parseFloat(value);
      const time = seconds * 1000;
      if (number === 0 || Number.isNaN(number)) {
        current = null;
        continue;
      }
      if (current && time - current.endMs <= stepMs) {
        current.endMs = time;
        continue;
      }
      current = { timeMs: time, endMs: time, color: query.color, title, text, tags };
      events.push(current);
    }
  }
  return events;
}

export async function loadAnnotations(queries: AnnotationQuery[], context: { fromMs: number; toMs: number; variables: Map<string, VariableState>; builtins: BuiltinValues; signal?: AbortSignal }): Promise<{ events: AnnotationEvent[]; errors: string[] }> {
  const events: AnnotationEvent[] = [];
  const errors: string[] = [];
  await Promise.all(
    queries.map(async (query) => {
      const stepMs = parseInterval(interpolate(query.step, context.variables, context.builtins)) ?? 60_000;
      const expr = interpolate(query.expr, context.variables, context.builtins);
      try {
        const answer = await queryRange(expr, Math.floor(context.fromMs / stepMs) * stepMs, context.toMs, stepMs / 1000, context.signal);
        if (answer.data.resultType === 'matrix') events.push(...annotationEvents(query, answer.data.result, stepMs));
      } catch (error) {
        if ((error as Error).name === 'AbortError') throw error;
        errors.push(`annotation "${query.name}": ${(error as Error).message}`);
      }
    }),
  );
  return { events: events.sort((left, right) => left.timeMs - right.timeMs), errors };
}
