import type { PanelModel } from '../model.ts';
import type { Series } from '../panel-data.ts';
import { displayValues } from './display.ts';

export function BarGaugePanel({ panel, series }: { panel: PanelModel; series: Series[] }) {
  const values = displayValues(panel, series, true);
  if (values.length === 0) return <div class="panel-empty">{panel.fieldConfig.noValue || 'No data'}</div>;
  const field = panel.fieldConfig;
  const known = values.map((value) => value.value).filter((value): value is number => value !== null);
  const min = field.min ?? Math.min(0, ...known);
  const max = field.max ?? Math.max(...known, min + 1);
  const vertical = panel.options.orientation === 'vertical';
  return (
    <div class={`bargauge ${vertical ? 'bargauge-vertical' : ''} bargauge-${panel.options.displayMode}`}>
      {values.map((value, index) => {
        const fraction = value.value === null ? 0 : Math.min(1, Math.max(0, (value.value - min) / (max - min || 1)));
        const fill = panel.options.displayMode === 'gradient' ? `linear-gradient(${vertical ? '0deg' : '90deg'}, transparent, ${value.color})` : value.color;
        return (
          <div class="bargauge-item" key={index} data-value={value.value === null ? '' : String(value.value)}>
            <div class="bargauge-name" title={value.name}>
              {value.name}
            </div>
            <div class="bargauge-track">
              <div class="bargauge-bar" style={vertical ? { height: `${fraction * 100}%`, background: fill } : { width: `${fraction * 100}%`, background: fill }} />
            </div>
            <div class="bargauge-value" style={{ color: value.color }}>
              {value.text}
            </div>
          </div>
        );
      })}
    </div>
  );
}
