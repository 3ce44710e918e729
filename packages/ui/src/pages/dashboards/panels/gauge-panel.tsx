import { resolveColor } from '../model.ts';
import type { PanelModel } from '../model.ts';
import type { Series } from '../panel-data.ts';
import { displayValues } from './display.ts';
import type { DisplayValue } from './display.ts';

const sweep = 240;
const startAngle = -120;

function point(angle: number, radius: number): [number, number] {
  const radians = ((angle - 90) * Math.PI) / 180;
  return [50 + radius * Math.cos(radians), 55 + radius * Math.sin(radians)];
}

function arc(fromAngle: number, toAngle: number, radius: number): string {
  const [x1, y1] = point(fromAngle, radius);
  const [x2, y2] = point(toAngle, radius);
  const large = toAngle - fromAngle > 180 ? 1 : 0;
  return `M${x1.toFixed(3)},${y1.toFixed(3)} A${radius},${radius} 0 ${large} 1 ${x2.toFixed(3)},${y2.toFixed(3)}`;
}

function Gauge({ value, panel, showName }: { value: DisplayValue; panel: PanelModel; showName: boolean }) {
  const field = panel.fieldConfig;
  const min = field.min ?? 0;
  const max = field.max ?? (field.unit === 'percentunit' ? 1 : 100);
  const fraction = value.value === null ? 0 : Math.min(1, Math.max(0, (value.value - min) / (max - min || 1)));
  const steps = field.thresholds.steps;
  const angleOf = (threshold: number) => startAngle + Math.min(1, Math.max(0, (field.thresholds.mode === 'percentage' ? threshold / 100 : (threshold - min) / (max - min || 1)))) * sweep;
  return (
    <div class="gauge" data-value={value.value === null ? '' : String(value.value)}>
      <svg viewBox="0 0 100 84" class="gauge-svg" role="img" aria-label={`${value.name}: ${value.text}`}>
        {panel.options.showThresholdMarkers
          ? steps.map((step, index) => {
              const from = step.value === null ? startAngle : angleOf(step.value);
              const next = steps[index + 1];
              const to = next && next.value !== null ? angleOf(next.value) : startAngle + sweep;
              return to > from ? <path key={index} d={arc(from, to, 44)} stroke={resolveColor(step.color)} stroke-width="3" fill="none" /> : null;
            })
          : null}
        <path d={arc(startAngle, startAngle + sweep, 36)} stroke="var(--grid)" stroke-width="10" fill="none" />
        {fraction > 0 ? <path d={arc(startAngle, startAngle + sweep * fraction, 36)} stroke={value.color} stroke-width="10" fill="none" /> : null}
        <text x="50" y="60" text-anchor="middle" class="gauge-text" fill={value.color} font-size={Math.min(18, 90 / Math.max(3, value.text.length))}>
          {value.text}
        </text>
      </svg>
      {showName ? <div class="gauge-name">{value.name}</div> : null}
    </div>
  );
}

export function GaugePanel({ panel, series }: { panel: PanelModel; series: Series[] }) {
  const values = displayValues(panel, series, true);
  if (values.length === 0) return <div class="panel-empty">{panel.fieldConfig.noValue || 'No data'}</div>;
  return (
    <div class="gauge-grid">
      {values.map((value, index) => (
        <Gauge key={index} value={value} panel={panel} showName={values.length > 1} />
      ))}
    </div>
  );
}
