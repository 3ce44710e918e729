import type { PanelModel } from '../model.ts';
import type { Series } from '../panel-data.ts';
import { displayValues } from './display.ts';
import type { DisplayValue } from './display.ts';

/** A sparkline as an SVG path over the series' own min..max (gaps break the line). */
export function Sparkline({ series, color, fill }: { series: Series; color: string; fill: boolean }) {
  const count = series.values.length;
  if (count < 2) return null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of series.values) {
    if (Number.isNaN(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (!Number.isFinite(min)) return null;
  const first = series.timestamps[0];
  const span = series.timestamps[count - 1] - first || 1;
  const height = max - min || 1;
  let path = '';
  let open = false;
  for (let index = 0; index < count; index++) {
    const value = series.values[index];
    if (Number.isNaN(value)) {
      open = false;
      continue;
    }
    const x = ((series.timestamps[index] - first) / span) * 100;
    const y = 100 - ((value - min) / height) * 90 - 5;
    path += `${open ? 'L' : 'M'}${x.toFixed(2)},${y.toFixed(2)}`;
    open = true;
  }
  return (
    <svg class="sparkline" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
      {fill ? <path d={`${path}L100,100L0,100Z`} fill={color} fill-opacity="0.18" stroke="none" /> : null}
      <path d={path} fill="none" stroke={color} stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}

function StatValue({ value, panel, showName }: { value: DisplayValue; panel: PanelModel; showName: boolean }) {
  const background = panel.options.colorMode === 'background';
  const colored = panel.options.colorMode !== 'none';
  const characters = Math.max(2, value.text.length);
  const textMode = panel.options.textMode;
  const nameShown = (showName && textMode !== 'value' && textMode !== 'none') || textMode === 'name' || textMode === 'value_and_name';
  return (
    <div class={`stat-value ${background ? 'stat-background' : ''}`} style={background ? { background: value.color } : undefined} data-value={value.value === null ? '' : String(value.value)}>
      {panel.options.graphMode === 'area' && value.series ? <Sparkline series={value.series} color={background ? 'rgba(255,255,255,0.85)' : value.color} fill /> : null}
      <div class="stat-text">
        {nameShown ? <div class="stat-name">{value.name}</div> : null}
        {textMode !== 'name' && textMode !== 'none' ? (
          <div class="stat-number" style={{ color: background ? '#fff' : colored ? value.color : 'var(--text)', '--characters': characters }}>
            {value.formatted.prefix ? <span class="stat-affix">{value.formatted.prefix}</span> : null}
            {value.formatted.text}
            {value.formatted.suffix ? <span class="stat-affix">{value.formatted.suffix}</span> : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function StatPanel({ panel, series }: { panel: PanelModel; series: Series[] }) {
  const values = displayValues(panel, series, true);
  if (values.length === 0) return <div class="panel-empty">{panel.fieldConfig.noValue || 'No data'}</div>;
  const horizontal = panel.options.orientation === 'horizontal' || (panel.options.orientation === 'auto' && panel.gridPos.w > panel.gridPos.h * 1.5);
  return (
    <div class={`stat-grid ${horizontal ? 'stat-row' : 'stat-column'}`}>
      {values.map((value, index) => (
        <StatValue key={index} value={value} panel={panel} showName={values.length > 1} />
      ))}
    </div>
  );
}
