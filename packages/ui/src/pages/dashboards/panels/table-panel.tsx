import { useState } from 'preact/hooks';
import { formatTimestamp } from '../../../components/format/time.ts';
import { formatValueText } from '../../../components/format/units.ts';
import { fieldForSeries, mapValue, resolveColor } from '../model.ts';
import type { PanelModel } from '../model.ts';
import { reduceSeries } from '../panel-data.ts';
import type { Series } from '../panel-data.ts';
import { thresholdColor } from './display.ts';

interface Row {
  labels: Record<string, string>;
  time: number | null;
  /** Value per query (refId), with the series it came from. */
  values: Map<string, { value: number | null; series: Series }>;
}

/**
 * One row per label set: the labels as columns, the time, and one value column per query — `Value`
 * for a single query, `Value #A`, `Value #B`… when several queries share the table, joined on their
 * labels as Grafana's Prometheus tables are. Range queries are reduced by the panel's reducer (last
 * value by default). Columns sort on click.
 */
export function TablePanel({ panel, series }: { panel: PanelModel; series: Series[] }) {
  const [sort, setSort] = useState<{ column: string; descending: boolean } | null>(null);
  if (series.length === 0) return <div class="panel-empty">{panel.fieldConfig.noValue || 'No data'}</div>;
  const calc = panel.options.reduceOptions.calcs[0] ?? 'lastNotNull';
  const refIds = [...new Set(series.map((entry) => entry.refId))];
  const joined = refIds.length > 1;
  // Joined tables key rows on the labels without the metric name (each query names its own).
  const keyLabels = (labels: Record<string, string>) => (joined ? Object.fromEntries(Object.entries(labels).filter(([name]) => name !== '__name__')) : labels);
  const byKey = new Map<string, Row>();
  for (const entry of series) {
    const labels = keyLabels(entry.labels);
    const key = JSON.stringify(Object.entries(labels).sort(([left], [right]) => (left < right ? -1 : 1)));
    const row = byKey.get(key) ?? { labels, time: null, values: new Map() };
    byKey.set(key, row);
    const time = entry.timestamps.length > 0 ? entry.timestamps[entry.timestamps.length - 1] : null;
    if (time !== null && (row.time === null || time > row.time)) row.time = time;
    row.values.set(entry.refId, { value: reduceSeries(entry, calc), series: entry });
  }
  const rows = [...byKey.values()];
  const labelColumns = [...new Set(rows.flatMap((row) => Object.keys(row.labels)))].sort((left, right) => (left === '__name__' ? -1 : right === '__name__' ? 1 : left.localeCompare(right)));
  const valueColumns = refIds.map((refId) => ({ refId, title: joined ? `Value #${refId}` : 'Value' }));

  if (sort) {
    rows.sort((left, right) => {
      let order: number;
      const valueColumn = valueColumns.find((column) => column.title === sort.column);
      if (valueColumn) order = (left.values.get(valueColumn.refId)?.value ?? Number.NEGATIVE_INFINITY) - (right.values.get(valueColumn.refId)?.value ?? Number.NEGATIVE_INFINITY);
      else if (sort.column === 'Time') order = (left.time ?? 0) - (right.time ?? 0);
      else order = (left.labels[sort.column] ?? '').localeCompare(right.labels[sort.column] ?? '', undefined, { numeric: true });
      return sort.descending ? -order : order;
    });
  }
  const header = (column: string, label = column, numeric = false) => (
    <th key={column} class={numeric ? 'number' : ''} onClick={() => setSort({ column, descending: sort?.column === column ? !sort.descending : false })} style={{ cursor: 'pointer' }}>
      {label}
      {sort?.column === column ? (sort.descending ? ' ▼' : ' ▲') : ''}
    </th>
  );
  return (
    <div class="table-panel">
      <table class="data">
        <thead>
          <tr>
            {header('Time')}
            {labelColumns.map((column) => header(column, column === '__name__' ? 'Metric' : column))}
            {valueColumns.map((column) => header(column.title, column.title, true))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              <td class="muted">{row.time === null ? '' : formatTimestamp(row.time, panel.timeZone)}</td>
              {labelColumns.map((column) => (
                <td key={column}>{row.labels[column] ?? ''}</td>
              ))}
              {valueColumns.map((column) => {
                const cell = row.values.get(column.refId);
                return cell ? <ValueCell key={column.refId} panel={panel} value={cell.value} series={cell.series} /> : <td key={column.refId} />;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ValueCell({ panel, value, series }: { panel: PanelModel; value: number | null; series: Series }) {
  const field = fieldForSeries(panel, series);
  const mapped = mapValue(value, field.mappings);
  const color = mapped?.color ? resolveColor(mapped.color) : field.color.mode === 'thresholds' ? thresholdColor(value, field) : undefined;
  return (
    <td class="number" style={{ color }} data-value={value === null ? '' : String(value)}>
      {mapped?.text ?? formatValueText(value, field.unit, field.decimals)}
    </td>
  );
}
