import { useState } from 'preact/hooks';
import { formatValueText } from '../../../components/format/units.ts';
import { mapValue, resolveColor } from '../model.ts';
import type { PanelModel } from '../model.ts';
import { reduceSeries } from '../panel-data.ts';
import type { Series } from '../panel-data.ts';
import { thresholdColor } from './display.ts';

/**
 * One row per series: its labels as columns, its time and value (instant queries) or its reduced
 * value (range queries, by the panel's reducer, last value by default). Columns sort on click.
 */
export function TablePanel({ panel, series }: { panel: PanelModel; series: Series[] }) {
  const [sort, setSort] = useState<{ column: string; descending: boolean } | null>(null);
  if (series.length === 0) return <div class="panel-empty">{panel.fieldConfig.noValue || 'No data'}</div>;
  const labelColumns = [...new Set(series.flatMap((entry) => Object.keys(entry.labels)))].sort((left, right) => (left === '__name__' ? -1 : right === '__name__' ? 1 : left.localeCompare(right)));
  const calc = panel.options.reduceOptions.calcs[0] ?? 'lastNotNull';
  const multipleQueries = new Set(series.map((entry) => entry.refId)).size > 1;
  const rows = series.map((entry) => {
    const value = reduceSeries(entry, calc);
    const time = entry.timestamps.length > 0 ? entry.timestamps[entry.timestamps.length - 1] : null;
    return { entry, value, time };
  });
  if (sort) {
    rows.sort((left, right) => {
      let order: number;
      if (sort.column === 'Value') order = (left.value ?? Number.NEGATIVE_INFINITY) - (right.value ?? Number.NEGATIVE_INFINITY);
      else if (sort.column === 'Time') order = (left.time ?? 0) - (right.time ?? 0);
      else order = (left.entry.labels[sort.column] ?? '').localeCompare(right.entry.labels[sort.column] ?? '', undefined, { numeric: true });
      return sort.descending ? -order : order;
    });
  }
  const header = (column: string, label = column) => (
    <th key={column} class={column === 'Value' ? 'number' : ''} onClick={() => setSort({ column, descending: sort?.column === column ? !sort.descending : false })} style={{ cursor: 'pointer' }}>
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
            {multipleQueries ? <th>Query</th> : null}
            {labelColumns.map((column) => header(column, column === '__name__' ? 'Metric' : column))}
            {header('Value')}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              <td class="muted">{row.time === null ? '' : new Date(row.time).toLocaleString()}</td>
              {multipleQueries ? <td>{row.entry.refId}</td> : null}
              {labelColumns.map((column) => (
                <td key={column}>{row.entry.labels[column] ?? ''}</td>
              ))}
              <ValueCell panel={panel} value={row.value} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ValueCell({ panel, value }: { panel: PanelModel; value: number | null }) {
  const mapped = mapValue(value, panel.fieldConfig.mappings);
  const color = mapped?.color ? resolveColor(mapped.color) : panel.fieldConfig.color.mode === 'thresholds' ? thresholdColor(value, panel.fieldConfig) : undefined;
  return (
    <td class="number" style={{ color }} data-value={value === null ? '' : String(value)}>
      {mapped?.text ?? formatValueText(value, panel.fieldConfig.unit, panel.fieldConfig.decimals)}
    </td>
  );
}
