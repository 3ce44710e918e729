/**
 * Time series chart on uPlot: lines, bars or points, optional fill and stacking, a unit-aware y
 * axis, a hover tooltip, a clickable legend (list or table with calcs) and zoom by dragging.
 * uPlot draws on canvas from arrays, so thousands of points per series stay smooth.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTimestamp } from './format/time.ts';
import type { TimeZone } from './format/time.ts';
import { formatValueText } from './format/units.ts';
import { themeColor, useTheme } from '../shell/theme.ts';

export interface ChartSeries {
  name: string;
  color: string;
  values: (number | null)[];
  /** Per-series overrides of the chart-wide settings. */
  fillOpacity?: number;
  lineWidth?: number;
  hideFromLegend?: boolean;
}

export interface ChartProps {
  /** Seconds, ascending. */
  x: number[];
  series: ChartSeries[];
  /** The visible range in ms (the x scale is fixed to it, so empty edges show as such). */
  fromMs: number;
  toMs: number;
  unit?: string;
  decimals?: number | null;
  min?: number | null;
  max?: number | null;
  stacking?: 'none' | 'normal' | 'percent';
  drawStyle?: 'line' | 'bars' | 'points';
  fillOpacity?: number;
  lineWidth?: number;
  showPoints?: 'auto' | 'always' | 'never';
  spanNulls?: boolean;
  axisLabel?: string;
  legend?: { show: boolean; displayMode: 'list' | 'table' | 'hidden'; placement: 'bottom' | 'right'; calcs: string[]; sortBy?: string; sortDesc?: boolean };
  /** Charts with the same key share the crosshair (Grafana's shared tooltip). */
  syncKey?: string;
  /** Legend values per series and calc (from the caller's reducers). */
  legendValues?: (seriesIndex: number, calc: string) => number | null;
  calcLabels?: Record<string, string>;
  onZoom?: (fromMs: number, toMs: number) => void;
  /** Axis and tooltip times in the browser's zone (default) or UTC. */
  timeZone?: TimeZone;
  /** Event markers (annotations): a line, or a shaded region when they span time. */
  annotations?: ChartAnnotation[];
}

export interface ChartAnnotation {
  timeMs: number;
  endMs: number;
  color: string;
  title: string;
}

function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (!hex) return color;
  const value = Number.parseInt(hex[1], 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

/** Cumulative sums for stacking (nulls count as 0 where any series has a value), or shares of 100 %. */
function stack(series: ChartSeries[], mode: 'normal' | 'percent', length: number): (number | null)[][] {
  const totals = new Array<number>(length).fill(0);
  if (mode === 'percent') for (const entry of series) for (let index = 0; index < length; index++) totals[index] += Math.abs(entry.values[index] ?? 0);
  const running = new Array<number>(length).fill(0);
  const present = new Array<boolean>(length).fill(false);
  for (const entry of series) for (let index = 0; index < length; index++) if (entry.values[index] !== null) present[index] = true;
  return series.map((entry) =>
    entry.values.map((value, index) => {
      if (!present[index]) return null;
      const share = mode === 'percent' ? (totals[index] === 0 ? 0 : (value ?? 0) / totals[index]) : (value ?? 0);
      running[index] += share;
      return running[index];
    }),
  );
}

export function Chart(props: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plotHolder = useRef<HTMLDivElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();
  const [hidden, setHidden] = useState<Set<number>>(new Set());
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;

  const stacking = props.stacking ?? 'none';
  const plotted = useMemo(() => (stacking === 'none' ? props.series.map((entry) => entry.values) : stack(props.series, stacking, props.x.length)), [props.series, props.x, stacking]);
  const axisUnit = stacking === 'percent' ? 'percentunit' : props.unit;

  useEffect(() => {
    const holder = plotHolder.current;
    if (!holder) return;
    const axisColor = themeColor('--axis') || '#888';
    const gridColor = themeColor('--grid') || 'rgba(128,128,128,0.2)';
    const font = '11px system-ui, sans-serif';
    const drawStyle = props.drawStyle ?? 'line';
    const fill = props.fillOpacity ?? 0;
    const pointsAuto = props.x.length < holder.clientWidth / 8;

    const series: uPlot.Series[] = [
      {},
      ...props.series.map((entry, index): uPlot.Series => ({
        label: entry.name,
        stroke: entry.color,
        width: drawStyle === 'points' ? 0 : (entry.lineWidth ?? props.lineWidth ?? 1),
        fill: (entry.fillOpacity ?? fill) > 0 || stacking !== 'none' ? withAlpha(entry.color, Math.max(entry.fillOpacity ?? fill, stacking !== 'none' ? 40 : 0) / 100) : undefined,
        spanGaps: props.spanNulls ?? false,
        show: !hidden.has(index),
        paths: drawStyle === 'bars' ? uPlot.paths.bars!({ size: [0.6, 100] }) : drawStyle === 'points' ? () => null : undefined,
        points: { show: drawStyle === 'points' || props.showPoints === 'always' || (props.showPoints !== 'never' && pointsAuto), size: drawStyle === 'points' ? 5 : 4 },
      })),
    ];
    const bands: uPlot.Band[] = stacking === 'none' ? [] : props.series.slice(1).map((_entry, index) => ({ series: [index + 2, index + 1] as [number, number] }));

    const yRange: uPlot.Scale.Range = (_self, dataMin, dataMax) => {
      let low = props.min ?? (stacking === 'none' ? dataMin : Math.min(0, dataMin));
      let high = props.max ?? dataMax;
      if (low == null || high == null || !Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
      if (low === high) {
        const pad = Math.abs(low) * 0.1 || 1;
        if (props.min == null) low -= pad;
        if (props.max == null) high += pad;
        if (low < 0 && dataMin >= 0 && props.min == null) low = 0;
      }
      const [niceLow, niceHigh] = uPlot.rangeNum(low, high, 0.1, true) as [number, number];
      return [props.min ?? (dataMin >= 0 && niceLow < 0 ? 0 : niceLow), props.max ?? niceHigh];
    };

    const options: uPlot.Options = {
      width: Math.max(100, holder.clientWidth),
      height: Math.max(60, holder.clientHeight),
      series,
      bands,
      legend: { show: false },
      ...(props.timeZone === 'utc' ? { tzDate: (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC') } : {}),
      padding: [8, 8, 0, 0],
      scales: {
        x: { time: true, range: () => [props.fromMs / 1000, props.toMs / 1000] },
        y: { range: yRange },
      },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 }, font, space: 60 },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { show: false },
          font,
          label: props.axisLabel || undefined,
          labelFont: font,
          labelSize: props.axisLabel ? 16 : 0,
          values: (_self, splits) => splits.map((value) => formatValueText(value, axisUnit, props.decimals)),
          size: (_self, values) => {
            const longest = Math.max(0, ...(values ?? []).map((value) => value.length));
            return Math.ceil(longest * 6.4) + 14;
          },
          space: 30,
        },
      ],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        ...(props.syncKey ? { sync: { key: props.syncKey } } : {}),
        points: { size: 6 },
      },
      hooks: {
        draw: [
          (self) => {
            const marks = props.annotations ?? [];
            if (marks.length === 0) return;
            const context = self.ctx;
            const { top, height } = self.bbox;
            context.save();
            for (const mark of marks) {
              const start = self.valToPos(mark.timeMs / 1000, 'x', true);
              const end = self.valToPos(mark.endMs / 1000, 'x', true);
              if (end < self.bbox.left || start > self.bbox.left + self.bbox.width) continue;
              if (end - start >= 1) {
                context.globalAlpha = 0.12;
                context.fillStyle = mark.color;
                context.fillRect(start, top, end - start, height);
                context.globalAlpha = 1;
              }
              context.strokeStyle = mark.color;
              context.lineWidth = devicePixelRatio;
              context.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
              context.beginPath();
              context.moveTo(Math.round(start) + 0.5, top);
              context.lineTo(Math.round(start) + 0.5, top + height);
              context.stroke();
            }
            context.restore();
          },
        ],
        setSelect: [
          (self) => {
            const { left, width } = self.select;
            if (width > 4 && onZoom.current) {
              const from = self.posToVal(left, 'x') * 1000;
              const to = self.posToVal(left + width, 'x') * 1000;
              onZoom.current(Math.round(from), Math.round(to));
            }
            self.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [
          (self) => {
            const element = tooltip.current;
            if (!element) return;
            // With a shared crosshair, only the chart under the mouse shows its tooltip.
            if (!holder.matches(':hover')) {
              element.style.display = 'none';
              return;
            }
            const index = self.cursor.idx;
            if (index == null || self.cursor.left == null || self.cursor.left < 0) {
              element.style.display = 'none';
              return;
            }
            const time = formatTimestamp(props.x[index] * 1000, props.timeZone);
            const rows = props.series
              .map((entry, seriesIndex) => ({ entry, seriesIndex, value: entry.values[index] }))
              .filter((row) => row.value !== null && !hidden.has(row.seriesIndex))
              .sort((left, right) => (right.value ?? 0) - (left.value ?? 0))
              .slice(0, 12);
            element.replaceChildren();
            const header = document.createElement('div');
            header.className = 'chart-tooltip-time';
            header.textContent = time;
            element.append(header);
            // Annotations under the cursor (within a few pixels) are listed first.
            const cursorSeconds = self.posToVal(self.cursor.left, 'x');
            const slack = (self.posToVal(self.cursor.left + 6, 'x') - cursorSeconds) * 1000;
            for (const mark of props.annotations ?? []) {
              if (cursorSeconds * 1000 < mark.timeMs - slack || cursorSeconds * 1000 > mark.endMs + slack) continue;
              const line = document.createElement('div');
              line.className = 'chart-tooltip-annotation';
              line.style.borderLeftColor = mark.color;
              line.textContent = mark.title;
              element.append(line);
            }
            for (const row of rows) {
              const line = document.createElement('div');
              line.className = 'chart-tooltip-row';
              const swatch = document.createElement('span');
              swatch.className = 'swatch';
              swatch.style.background = row.entry.color;
              const name = document.createElement('span');
              name.className = 'chart-tooltip-name';
              name.textContent = row.entry.name;
              const value = document.createElement('b');
              value.textContent = formatValueText(row.value, props.unit, props.decimals);
              line.append(swatch, name, value);
              element.append(line);
            }
            element.style.display = rows.length > 0 ? 'block' : 'none';
            const plotWidth = self.over.clientWidth;
            const left = self.cursor.left + self.bbox.left / devicePixelRatio;
            element.style.left = `${left + 12 + 240 > plotWidth ? Math.max(0, left - 252) : left + 12}px`;
            element.style.top = `${(self.cursor.top ?? 0) + 8}px`;
          },
        ],
      },
    };
    const data = [props.x, ...plotted] as uPlot.AlignedData;
    const chart = new uPlot(options, data, holder);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      const width = Math.max(100, holder.clientWidth);
      const height = Math.max(60, holder.clientHeight);
      if (width !== chart.width || height !== chart.height) chart.setSize({ width, height });
    });
    observer.observe(holder);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [plotted, props.x, props.fromMs, props.toMs, theme, hidden, axisUnit, props.decimals, props.min, props.max, props.drawStyle, props.fillOpacity, props.lineWidth, props.timeZone, props.annotations]);

  // Exposed for tests and tooling: how many points the chart actually holds.
  const points = useMemo(() => props.series.reduce((total, entry) => total + entry.values.reduce<number>((count, value) => (value === null ? count : count + 1), 0), 0), [props.series]);
  const legend = props.legend ?? { show: true, displayMode: 'list', placement: 'bottom', calcs: [] };
  const showLegend = legend.show && legend.displayMode !== 'hidden' && props.series.length > 0;
  // Legend order: by a calc or the name when the panel asks, else query order.
  const order = props.series.map((_entry, index) => index);
  if (legend.sortBy) {
    const key = (index: number) => (legend.sortBy === 'Name' ? props.series[index].name : (props.legendValues?.(index, legend.sortBy!) ?? Number.NEGATIVE_INFINITY));
    order.sort((left, right) => {
      const a = key(left);
      const b = key(right);
      const compared = typeof a === 'string' && typeof b === 'string' ? a.localeCompare(b) : Number(a) - Number(b);
      return legend.sortDesc ? -compared : compared;
    });
  }
  const toggle = (index: number, isolate: boolean) => {
    setHidden((previous) => {
      if (isolate) {
        // Click isolates a series as in Grafana; clicking the isolated one shows all again.
        const onlyThis = previous.size === props.series.length - 1 && !previous.has(index);
        return onlyThis ? new Set() : new Set(props.series.map((_entry, seriesIndex) => seriesIndex).filter((seriesIndex) => seriesIndex !== index));
      }
      const next = new Set(previous);
      if (next.has(index)) next.delete(index);
      else next.add(index);
      return next;
    });
  };

  return (
    <div ref={container} class={`chart chart-legend-${legend.placement}`} data-points={points} data-series={props.series.length} data-annotations={props.annotations?.length ?? 0}>
      <div class="chart-plot" ref={plotHolder}>
        <div class="chart-tooltip" ref={tooltip} />
      </div>
      {showLegend ? (
        legend.displayMode === 'table' || legend.calcs.length > 0 ? (
          <div class="chart-legend chart-legend-table">
            <table class="data">
              <thead>
                <tr>
                  <th>Name</th>
                  {legend.calcs.map((calc) => (
                    <th key={calc} class="number">
                      {props.calcLabels?.[calc] ?? calc}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {order.map((index) => ({ entry: props.series[index], index })).map(({ entry, index }) => entry.hideFromLegend ? null : (
                  <tr key={index} class={hidden.has(index) ? 'legend-hidden' : ''} onClick={(event) => toggle(index, !(event.ctrlKey || event.metaKey || event.shiftKey))}>
                    <td>
                      <span class="swatch" style={{ background: entry.color }} />
                      {entry.name}
                    </td>
                    {legend.calcs.map((calc) => (
                      <td key={calc} class="number">
                        {formatValueText(props.legendValues?.(index, calc) ?? null, props.unit, props.decimals)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <div class="chart-legend">
            {order.map((index) => ({ entry: props.series[index], index })).map(({ entry, index }) => entry.hideFromLegend ? null : (
              <button key={index} type="button" class={`legend-item ${hidden.has(index) ? 'legend-hidden' : ''}`} title={entry.name} onClick={(event) => toggle(index, !(event.ctrlKey || event.metaKey || event.shiftKey))}>
                <span class="swatch" style={{ background: entry.color }} />
                {entry.name}
              </button>
            ))}
          </div>
        )
      ) : null}
    </div>
  );
}
