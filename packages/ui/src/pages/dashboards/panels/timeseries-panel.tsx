import { useMemo } from 'preact/hooks';
import { Chart } from '../../../components/chart.tsx';
import { calcNames, seriesColor } from '../model.ts';
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
}

export function TimeSeriesPanel({ panel, series, fromMs, toMs, onZoom }: TimeSeriesPanelProps) {
  const field = panel.fieldConfig;
  const aligned = useMemo(() => alignSeries(series), [series]);
  const chartSeries = useMemo(
    () =>
      series.map((entry, index) => ({
        name: entry.name,
        color: field.color.mode === 'palette-classic' || field.color.mode === '' ? seriesColor(index) : fieldColor(field, index, reduceSeries(entry, 'lastNotNull')),
        values: aligned.ys[index],
      })),
    [series, aligned, field],
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
      legend={{ show: legend.showLegend, displayMode: legend.displayMode, placement: legend.placement, calcs: legend.calcs }}
      legendValues={(index, calc) => reduceSeries(series[index], calc)}
      calcLabels={calcNames}
      onZoom={onZoom}
    />
  );
}
