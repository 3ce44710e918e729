import { useMemo } from 'preact/hooks';
import { Chart } from '../../../components/chart.tsx';
import type { ChartAnnotation } from '../../../components/chart.tsx';
import { calcNames, fieldForSeries, resolveColor, seriesColor } from '../model.ts';
import type { PanelModel } from '../model.ts';
import { alignSeries, reduceSeries } from '../panel-data.ts';
import type { Series } from '../panel-data.ts';
import { fieldColor } from './display.ts';

export interface TimeSeriesPanelProps {
  panel: PanelModel;
  series: Series[];
  fromMs: number;
  toMs: number;
  onZoom: (fromMs: number, toMs: number) => void;
  annotations?: ChartAnnotation[];
}

export function TimeSeriesPanel({ panel, series, fromMs, toMs, onZoom, annotations }: TimeSeriesPanelProps) {
  const field = panel.fieldConfig;
  // Series an override hides from the graph are left out entirely, as in Grafana.
  const shown = useMemo(
    () =>
      series
        .map((entry, index) => ({ entry, index, field: fieldForSeries(panel, entry) }))
        .filter((item) => !item.field.hideFromViz),
    [series, panel],
  );
  const aligned = useMemo(() => alignSeries(shown.map((item) => item.entry)), [shown]);
  const chartSeries = useMemo(
    () =>
      shown.map(({ entry, index, field: seriesField }, position) => ({
        name: seriesField.displayName || entry.name,
        color:
          seriesField.color.mode === 'fixed' && seriesField.color.fixedColor
            ? resolveColor(seriesField.color.fixedColor)
            : seriesField.color.mode === 'palette-classic' || seriesField.color.mode === ''
              ? seriesColor(index)
              : fieldColor(seriesField, index, reduceSeries(entry, 'lastNotNull')),
        values: aligned.ys[position],
        fillOpacity: seriesField.custom.fillOpacity,
        lineWidth: seriesField.custom.lineWidth,
        hideFromLegend: seriesField.hideFromLegend,
      })),
    [shown, aligned],
  );
  const legend = panel.options.legend;
  return (
    <Chart
      x={aligned.x}
      series={chartSeries}
      fromMs={fromMs}
      toMs={toMs}
      unit={field.unit}
      decimals={field.decimals}
      min={field.min}
      max={field.max}
      stacking={field.custom.stacking}
      drawStyle={field.custom.drawStyle}
      fillOpacity={field.custom.fillOpacity}
      lineWidth={field.custom.lineWidth}
      showPoints={field.custom.showPoints}
      spanNulls={field.custom.spanNulls}
      axisLabel={field.custom.axisLabel}
      legend={{ show: legend.showLegend, displayMode: legend.displayMode, placement: legend.placement, calcs: legend.calcs, sortBy: legend.sortBy, sortDesc: legend.sortDesc }}
      syncKey={panel.cursorSync || undefined}
      legendValues={(index, calc) => reduceSeries(shown[index].entry, calc)}
      calcLabels={calcNames}
      onZoom={onZoom}
      timeZone={panel.timeZone}
      annotations={annotations}
    />
  );
}
