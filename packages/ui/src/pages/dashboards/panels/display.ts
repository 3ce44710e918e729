/** Reduced values for stat, gauge, bar gauge, pie and table panels: value, text and threshold colour. */
import { formatValue, formattedToString } from '../../../components/format/units.ts';
import type { FormattedValue } from '../../../components/format/units.ts';
import { fieldForSeries, mapValue, resolveColor, seriesColor } from '../model.ts';
import type { FieldDefaults, PanelModel } from '../model.ts';
import { reduceSeries } from '../panel-data.ts';
import type { Series } from '../panel-data.ts';

export interface DisplayValue {
  name: string;
  value: number | null;
  formatted: FormattedValue;
  text: string;
  color: string;
  series: Series | null;
}

/** The threshold colour for `value`: the last step whose value is ≤ it (percentage steps against min..max). */
export function thresholdColor(value: number | null, field: FieldDefaults, min = field.min ?? 0, max = field.max ?? 100): string {
  const steps = field.thresholds.steps;
  if (steps.length === 0) return resolveColor('green');
  let color = steps[0].color;
  if (value === null) return resolveColor(color);
  const compared = field.thresholds.mode === 'percentage' ? ((value - min) / (max - min || 1)) * 100 : value;
  for (const step of steps) if (step.value === null || compared >= step.value) color = step.color;
  return resolveColor(color);
}

/** A series' colour: fixed, by thresholds (`thresholds` colour mode) or from the classic palette. */
export function fieldColor(field: FieldDefaults, index: number, value: number | null): string {
  if (field.color.mode === 'fixed' && field.color.fixedColor) return resolveColor(field.color.fixedColor);
  if (field.color.mode === 'thresholds') return thresholdColor(value, field);
  return seriesColor(index);
}

export function displayValues(panel: PanelModel, series: Series[], useThresholds: boolean): DisplayValue[] {
  const calc = panel.options.reduceOptions.calcs[0] ?? 'lastNotNull';
  const values: DisplayValue[] = [];
  const make = (seriesName: string, value: number | null, entry: Series | null, index: number): DisplayValue => {
    // Each series may have overrides (unit, decimals, thresholds, mappings, colour, name).
    const field = entry ? fieldForSeries(panel, entry) : panel.fieldConfig;
    const name = field.displayName || seriesName;
    const mapped = mapValue(value, field.mappings);
    let formatted: FormattedValue = value === null ? { text: field.noValue || 'No data' } : formatValue(value, field.unit, field.decimals);
    if (mapped?.text !== undefined) formatted = { text: mapped.text };
    else {
      if (panel.options.prefix) formatted.prefix = panel.options.prefix + (formatted.prefix ?? '');
      if (panel.options.postfix) formatted.suffix = (formatted.suffix ?? '') + panel.options.postfix;
    }
    // Without a colour mode in the JSON, value panels colour by thresholds and pies by the palette, as Grafana.
    const color = mapped?.color ? resolveColor(mapped.color) : field.color.mode === '' ? (useThresholds ? thresholdColor(value, field) : seriesColor(index)) : fieldColor(field, index, value);
    return { name, value, formatted, text: formattedToString(formatted), color, series: entry };
  };
  if (panel.options.reduceOptions.values) {
    // "All values": every sample of every series is its own value.
    for (const [seriesIndex, entry] of series.entries()) {
      for (let index = 0; index < entry.values.length; index++) values.push(make(entry.name, Number.isNaN(entry.values[index]) ? null : entry.values[index], entry, seriesIndex));
    }
    return values.slice(0, panel.options.reduceOptions.limit ?? 5000);
  }
  for (const [index, entry] of series.entries()) values.push(make(entry.name, reduceSeries(entry, calc), entry, index));
  return values;
}
