/** Loads each template variable's options from Vigil's Prometheus API, in dashboard order. */
import { labelNames, labelValues, queryInstant, series } from '../../api/prometheus.ts';
import { calculateInterval, formatInterval, parseInterval } from '../../components/format/time.ts';
import type { VariableModel } from './model.ts';
import { applyVariableRegex, customOptions, initialSelection, interpolate, parseVariableQuery, sortOptions } from './variables.ts';
import type { BuiltinValues, VariableOption, VariableState } from './variables.ts';

export interface ResolveContext {
  fromMs: number;
  toMs: number;
  dashboardTitle: string;
  dashboardUid: string;
  /** `var-<name>` values from the URL. */
  urlValues: (name: string) => string[];
}

async function queryOptions(model: VariableModel, query: string, range: { startMs: number; endMs: number }): Promise<string[]> {
  const parsed = parseVariableQuery(query);
  switch (parsed.kind) {
    case 'label_names':
      return labelNames(parsed.match ?? undefined, range);
    case 'label_values':
      if (parsed.match === null) return labelValues(parsed.label, undefined, range);
      return [...new Set((await series(parsed.match, range)).map((labels) => labels[parsed.label]).filter((value): value is string => value !== undefined))];
    case 'metrics': {
      const names = await labelValues('__name__', undefined, range);
      const pattern = new RegExp(parsed.regex);
      return names.filter((name) => pattern.test(name));
    }
    case 'query_result': {
      // Grafana lists each result as `metric{labels} value timestamp`, for the variable regex to pick from.
      const answer = await queryInstant(parsed.expr, range.endMs);
      const data = answer.data;
      if (data.resultType === 'vector') {
        return data.result.map((sample) => {
          const labels = Object.entries(sample.metric).filter(([key]) => key !== '__name__');
          const name = sample.metric['__name__'] ?? '';
          return `${name}{${labels.map(([key, value]) => `${key}="${value}"`).join(',')}} ${sample.value?.[1] ?? ''} ${sample.value ? sample.value[0] * 1000 : ''}`;
        });
      }
      if (data.resultType === 'scalar' || data.resultType === 'string') return [`${data.resultType} ${data.result[1]} ${data.result[0] * 1000}`];
      return [];
    }
    case 'series': {
      if (model.type !== 'query' || query.trim() === '') return [];
      const found = await series(parsed.match, range);
      return found.map((labels) => {
        const name = labels['__name__'] ?? '';
        const rest = Object.entries(labels).filter(([key]) => key !== '__name__');
        return `${name}{${rest.map(([key, value]) => `${key}="${value}"`).join(',')}}`;
      });
    }
    default:
      return [];
  }
}

function intervalOptions(model: VariableModel, context: ResolveContext): VariableOption[] {
  const options = model.query
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => ({ text: part, value: part }));
  if (model.auto) {
    const autoMs = calculateInterval({ rangeMs: context.toMs - context.fromMs, maxDataPoints: model.autoCount, minIntervalMs: parseInterval(model.autoMin) ?? 10_000 });
    options.unshift({ text: 'auto', value: formatInterval(autoMs) });
  }
  return options;
}

/**
 * Resolves every variable in order: each one's query may use the ones before it (chained
 * variables), as in Grafana. A variable whose options fail to load keeps its error and no options.
 */
export async function resolveVariables(models: VariableModel[], context: ResolveContext): Promise<Map<string, VariableState>> {
  const states = new Map<string, VariableState>();
  const builtins: BuiltinValues = {
    intervalMs: 0,
    rateIntervalMs: 0,
    rangeMs: context.toMs - context.fromMs,
    fromMs: context.fromMs,
    toMs: context.toMs,
    dashboardTitle: context.dashboardTitle,
    dashboardUid: context.dashboardUid,
  };
  const range = { startMs: context.fromMs, endMs: context.toMs };
  for (const model of models) {
    if (model.name === '') continue;
    let options: VariableOption[] = [];
    let error: string | null = null;
    try {
      switch (model.type) {
        case 'query': {
          const query = interpolate(model.query, states, builtins);
          options = sortOptions(applyVariableRegex(await queryOptions(model, query, range), model.regex), model.sort);
          break;
        }
        case 'custom':
          options = customOptions(model.query);
          break;
        case 'interval':
          options = intervalOptions(model, context);
          break;
        case 'constant':
        case 'textbox':
          options = [{ text: model.query, value: model.query }];
          break;
        case 'datasource':
          // One data source: Vigil itself.
          options = [{ text: 'Vigil', value: 'Vigil' }];
          break;
        default:
          options = model.options;
      }
    } catch (failure) {
      error = `cannot load the options of $${model.name}: ${(failure as Error).message}`;
    }
    const selected = initialSelection(model, options, context.urlValues(model.name));
    // The interval variable's `auto` stands for the computed interval.
    const values = model.type === 'interval' ? selected.map((value) => (value === 'auto' ? (options.find((option) => option.text === 'auto')?.value ?? value) : value)) : selected;
    states.set(model.name, { model, options, selected: values, error });
  }
  return states;
}
