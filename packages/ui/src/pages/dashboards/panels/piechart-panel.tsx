import { formatValueText } from '../../../components/format/units.ts';
import type { PanelModel } from '../model.ts';
import type { Series } from '../panel-data.ts';
import { displayValues } from './display.ts';

export function PieChartPanel({ panel, series }: { panel: PanelModel; series: Series[] }) {
  const values = displayValues(panel, series, false).filter((value) => value.value !== null && value.value > 0);
  if (values.length === 0) return <div class="panel-empty">{panel.fieldConfig.noValue || 'No data'}</div>;
  const total = values.reduce((sum, value) => sum + (value.value ?? 0), 0);
  const donut = panel.options.pieType === 'donut';
  let angle = -Math.PI / 2;
  const slices = values.map((value, index) => {
    const share = (value.value ?? 0) / total;
    const start = angle;
    const end = angle + share * Math.PI * 2;
    angle = end;
    const large = end - start > Math.PI ? 1 : 0;
    const [x1, y1] = [50 + 48 * Math.cos(start), 50 + 48 * Math.sin(start)];
    const [x2, y2] = [50 + 48 * Math.cos(end), 50 + 48 * Math.sin(end)];
    const path = share >= 0.9999 ? 'M50,2 A48,48 0 1 1 49.99,2 Z' : `M50,50 L${x1.toFixed(3)},${y1.toFixed(3)} A48,48 0 ${large} 1 ${x2.toFixed(3)},${y2.toFixed(3)} Z`;
    return (
      <path key={index} d={path} fill={value.color} stroke="var(--surface)" stroke-width="0.5" data-value={String(value.value)}>
        <title>{`${value.name}: ${value.text} (${(share * 100).toFixed(1)}%)`}</title>
      </path>
    );
  });
  return (
    <div class="piechart">
      <svg viewBox="0 0 100 100" class="piechart-svg" role="img" aria-label={panel.title}>
        {slices}
        {donut ? <circle cx="50" cy="50" r="26" fill="var(--surface)" /> : null}
      </svg>
      {panel.options.legend.showLegend ? (
        <div class="piechart-legend">
          {values.map((value, index) => (
            <div key={index} class="legend-item">
              <span class="swatch" style={{ background: value.color }} />
              {value.name} <span class="muted">{formatValueText(value.value, panel.fieldConfig.unit, panel.fieldConfig.decimals)}</span>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
