/**
 * Grafana dashboard JSON → one normalized model. Both schemas end here: the classic one (`rows[]`
 * with `span`, `graph`, `singlestat`, `yaxes`, `format`, `valueName`) and the current one
 * (`panels[]` with `gridPos`, `timeseries`, `stat`, `fieldConfig`, `options`). The renderer only knows
 * this model, so a classic dashboard draws the way Grafana's own migration would draw it.
 */

export interface GridPosition {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Target {
  refId: string;
  expr: string;
  legendFormat: string;
  /** `instant` queries (or table-format instant queries) ask `/api/v1/query`. */
  instant: boolean;
  hide: boolean;
  /** Minimum step for this target (`interval`, e.g. `30s`), before `intervalFactor`. */
  interval: string;
  intervalFactor: number;
  format: 'time_series' | 'table' | 'heatmap';
}

export interface Threshold {
  /** null is the base step (−∞). */
  value: number | null;
  color: string;
}

/** Grafana's value mappings: a value (or range, regex, special value) shown as text and/or colour. */
export type ValueMapping =
  | { type: 'value'; value: string; text?: string; color?: string }
  | { type: 'range'; from: number | null; to: number | null; text?: string; color?: string }
  | { type: 'regex'; pattern: string; text?: string; color?: string }
  | { type: 'special'; match: 'null' | 'nan' | 'null+nan' | 'true' | 'false' | 'empty'; text?: string; color?: string };

export interface FieldDefaults {
  unit: string;
  mappings: ValueMapping[];
  decimals: number | null;
  min: number | null;
  max: number | null;
  thresholds: { mode: 'absolute' | 'percentage'; steps: Threshold[] };
  color: { mode: string; fixedColor?: string };
  displayName: string;
  noValue: string;
  custom: {
    drawStyle: 'line' | 'bars' | 'points';
    lineWidth: number;
    fillOpacity: number;
    stacking: 'none' | 'normal' | 'percent';
    showPoints: 'auto' | 'always' | 'never';
    axisLabel: string;
    spanNulls: boolean;
  };
}

export interface LegendOptions {
  showLegend: boolean;
  displayMode: 'list' | 'table' | 'hidden';
  placement: 'bottom' | 'right';
  calcs: string[];
  /** A calc id (`mean`) or `Name` to order the legend by, '' for query order. */
  sortBy: string;
  sortDesc: boolean;
}

export interface PanelOptions {
  legend: LegendOptions;
  reduceOptions: { calcs: string[]; values: boolean; limit?: number };
  /** stat */
  graphMode: 'area' | 'none';
  colorMode: 'value' | 'background' | 'none';
  textMode: string;
  orientation: 'auto' | 'horizontal' | 'vertical';
  /** gauge / bargauge */
  showThresholdMarkers: boolean;
  displayMode: 'basic' | 'gradient' | 'lcd';
  /** text */
  mode: 'markdown' | 'html' | 'code';
  content: string;
  /** piechart */
  pieType: 'pie' | 'donut';
  /** value prefix/suffix (classic singlestat) */
  prefix: string;
  postfix: string;
}

export interface PanelModel {
  id: number;
  /** The type the renderer uses: classic types mapped to their current equivalents. */
  type: string;
  /** The type in the JSON (`graph`, `singlestat`, `grafana-worldmap-panel`…). */
  originalType: string;
  title: string;
  description: string;
  gridPos: GridPosition;
  targets: Target[];
  fieldConfig: FieldDefaults;
  /** `fieldConfig.overrides` (and classic `seriesOverrides` alias/colour rules), applied per series. */
  overrides: FieldOverride[];
  options: PanelOptions;
  maxDataPoints: number | null;
  /** Panel minimum interval (`interval`, e.g. `1m`). */
  interval: string;
  transparent: boolean;
  repeat: string;
  /** Row panels: whether collapsed, and (collapsed) the panels they hold. */
  collapsed: boolean;
  panels: PanelModel[];
  /** The dashboard's time zone, for the times this panel prints. */
  timeZone: 'browser' | 'utc';
  /** Charts sharing a crosshair (the dashboard's `graphTooltip` 1 or 2) share this key; '' for none. */
  cursorSync: string;
}

export interface VariableModel {
  name: string;
  type: 'query' | 'custom' | 'interval' | 'constant' | 'textbox' | 'datasource' | 'adhoc' | string;
  label: string;
  /** 0 shown with label, 1 shown without label, 2 hidden. */
  hide: number;
  query: string;
  regex: string;
  multi: boolean;
  includeAll: boolean;
  allValue: string | null;
  current: { text: string | string[]; value: string | string[] } | null;
  options: { text: string; value: string; selected?: boolean }[];
  /** Grafana's sort: 0 none, 1/2 alphabetical asc/desc, 3/4 numerical, 5/6 case-insensitive. */
  sort: number;
  auto: boolean;
  autoCount: number;
  autoMin: string;
}

export interface DashboardModel {
  uid: string;
  title: string;
  tags: string[];
  panels: PanelModel[];
  variables: VariableModel[];
  /** Prometheus annotation queries (`annotations.list` entries with an `expr`). */
  annotations: AnnotationQuery[];
  time: { from: string; to: string };
  refresh: string;
  /** `timezone`: `utc`, or the browser's zone for anything else (`browser`, '', a named zone). */
  timeZone: 'browser' | 'utc';
  /** The JSON as given, for saving back unchanged (Grafana-compatible). */
  source: Record<string, unknown>;
}

/** Accepts bare dashboard JSON or the `{"dashboard": …}` wrapper Grafana's API and docs use. */
export function unwrapDashboard(json: unknown): Record<string, unknown> {
  if (!isObject(json)) throw new Error('a dashboard is a JSON object');
  if (isObject(json.dashboard)) return json.dashboard;
  if (!Array.isArray(json.panels) && !Array.isArray(json.rows)) throw new Error('no "panels" or "rows": this is not a Grafana dashboard');
  return json;
}

const classicPalette = ['#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A6', '#705DA0', '#508642', '#CCA300', '#447EBC', '#C15C17', '#890F02', '#0A437C', '#6D1F62', '#584477'];
/** Grafana's classic palette, in its order, so series get the colours they get in Grafana. */
export function seriesColor(index: number): string {
  return classicPalette[index % classicPalette.length];
}

/** Grafana's named colours used by thresholds. */
const namedColors: Record<string, string> = {
  green: '#73BF69',
  'dark-green': '#37872D',
  'semi-dark-green': '#56A64B',
  'light-green': '#96D98D',
  red: '#F2495C',
  'dark-red': '#C4162A',
  'semi-dark-red': '#E02F44',
  'light-red': '#FF7383',
  yellow: '#FADE2A',
  'dark-yellow': '#E0B400',
  'light-yellow': '#FFEE52',
  orange: '#FF9830',
  'dark-orange': '#FA6400',
  'light-orange': '#FFB357',
  blue: '#5794F2',
  'dark-blue': '#1F60C4',
  'light-blue': '#8AB8FF',
  purple: '#B877D9',
  'dark-purple': '#8F3BB8',
  'light-purple': '#CA95E5',
  text: 'var(--text)',
  transparent: 'transparent',
};

export function resolveColor(color: string | undefined): string {
  if (!color) return namedColors.green;
  return namedColors[color] ?? color;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}

/** Classic `valueName` and current `reduceOptions.calcs` names, in one vocabulary. */
const classicCalcs: Record<string, string> = { avg: 'mean', current: 'lastNotNull', total: 'sum', max: 'max', min: 'min', first: 'firstNotNull', delta: 'delta', diff: 'diff', range: 'range', last_time: 'lastNotNull', name: 'lastNotNull' };
export const calcNames: Record<string, string> = {
  lastNotNull: 'Last *',
  last: 'Last',
  firstNotNull: 'First *',
  first: 'First',
  mean: 'Mean',
  max: 'Max',
  min: 'Min',
  sum: 'Total',
  count: 'Count',
  range: 'Range',
  delta: 'Delta',
  diff: 'Difference',
};

const defaultThresholds = { mode: 'absolute' as const, steps: [{ value: null, color: 'green' }, { value: 80, color: 'red' }] };

function fieldDefaults(panel: Record<string, any>, classic: boolean): FieldDefaults {
  const defaults = isObject(panel.fieldConfig?.defaults) ? panel.fieldConfig.defaults : {};
  const custom = isObject(defaults.custom) ? defaults.custom : {};
  const field: FieldDefaults = {
    unit: text(defaults.unit),
    mappings: valueMappings(defaults.mappings),
    decimals: numberOrNull(defaults.decimals),
    min: numberOrNull(defaults.min),
    max: numberOrNull(defaults.max),
    thresholds: isObject(defaults.thresholds) && Array.isArray(defaults.thresholds.steps)
      ? {
          mode: defaults.thresholds.mode === 'percentage' ? 'percentage' : 'absolute',
          steps: defaults.thresholds.steps.map((step: any) => ({ value: numberOrNull(step?.value), color: text(step?.color, 'green') })),
        }
      : defaultThresholds,
    // '' when the JSON sets no colour mode: each panel type then uses its own default (palette or thresholds).
    color: isObject(defaults.color) ? { mode: text(defaults.color.mode), fixedColor: text(defaults.color.fixedColor) || undefined } : { mode: '' },
    displayName: text(defaults.displayName),
    noValue: text(defaults.noValue),
    custom: {
      drawStyle: custom.drawStyle === 'bars' || custom.drawStyle === 'points' ? custom.drawStyle : 'line',
      lineWidth: numberOrNull(custom.lineWidth) ?? 1,
      fillOpacity: numberOrNull(custom.fillOpacity) ?? 0,
      stacking: custom.stacking?.mode === 'normal' || custom.stacking?.mode === 'percent' ? custom.stacking.mode : 'none',
      showPoints: custom.showPoints === 'always' || custom.showPoints === 'never' ? custom.showPoints : 'auto',
      axisLabel: text(custom.axisLabel),
      spanNulls: custom.spanNulls === true,
    },
  };
  if (!classic) return field;

  // Classic graph: left y axis carries format/min/max/decimals/label; fill and stack on the panel.
  const axes = Array.isArray(panel.yaxes) ? panel.yaxes : Array.isArray(panel.yAxes) ? panel.yAxes : [];
  const left = isObject(axes[0]) ? axes[0] : {};
  if (panel.type === 'graph' || panel.type === undefined) {
    field.unit = text(left.format) || field.unit;
    field.min = numberOrNull(left.min) ?? field.min;
    field.max = numberOrNull(left.max) ?? field.max;
    field.decimals = numberOrNull(left.decimals) ?? numberOrNull(panel.decimals) ?? field.decimals;
    field.custom.axisLabel = text(left.label) || field.custom.axisLabel;
    if (panel.fill !== undefined) field.custom.fillOpacity = (numberOrNull(panel.fill) ?? 1) * 10;
    else if (panel.type === 'graph') field.custom.fillOpacity = 10;
    if (panel.linewidth !== undefined) field.custom.lineWidth = numberOrNull(panel.linewidth) ?? 1;
    if (panel.stack === true) field.custom.stacking = panel.percentage === true ? 'percent' : 'normal';
    if (panel.bars === true && panel.lines !== true) field.custom.drawStyle = 'bars';
    else if (panel.points === true && panel.lines === false) field.custom.drawStyle = 'points';
    if (panel.nullPointMode === 'connected') field.custom.spanNulls = true;
  }
  if (panel.type === 'singlestat' || panel.type === 'singlestat2') {
    field.mappings = [...field.mappings, ...classicValueMaps(panel)];
    field.unit = text(panel.format) || field.unit;
    field.decimals = numberOrNull(panel.decimals) ?? field.decimals;
    if (isObject(panel.gauge)) {
      field.min = numberOrNull(panel.gauge.minValue) ?? field.min;
      field.max = numberOrNull(panel.gauge.maxValue) ?? field.max;
    }
    const colors: string[] = Array.isArray(panel.colors) ? panel.colors : ['#299c46', 'rgba(237, 129, 40, 0.89)', '#d44a3a'];
    const limits = text(panel.thresholds)
      .split(',')
      .map((part) => numberOrNull(part.trim()))
      .filter((value): value is number => value !== null);
    // Without thresholds a singlestat is one colour; with them, colours[i] starts at limit i−1.
    field.thresholds = {
      mode: 'absolute',
      steps: limits.length === 0 ? [{ value: null, color: panel.colorValue || panel.colorBackground ? colors[0] : 'text' }] : [{ value: null, color: colors[0] }, ...limits.map((limit, index) => ({ value: limit, color: colors[Math.min(index + 1, colors.length - 1)] }))],
    };
  }
  return field;
}

function mappingResult(entry: Record<string, any>): { text?: string; color?: string } {
  const mapped: { text?: string; color?: string } = {};
  if (typeof entry.text === 'string' && entry.text !== '') mapped.text = entry.text;
  if (typeof entry.color === 'string' && entry.color !== '') mapped.color = entry.color;
  return mapped;
}

/** `fieldConfig.defaults.mappings`, in both the Grafana 8+ form and the Grafana 7 `{type: 1|2}` form. */
function valueMappings(list: unknown): ValueMapping[] {
  if (!Array.isArray(list)) return [];
  const mappings: ValueMapping[] = [];
  for (const mapping of list.filter(isObject)) {
    const options = isObject(mapping.options) ? mapping.options : {};
    switch (mapping.type) {
      case 'value':
        for (const [value, entry] of Object.entries(options)) if (isObject(entry)) mappings.push({ type: 'value', value, ...mappingResult(entry) });
        break;
      case 'range':
        mappings.push({ type: 'range', from: numberOrNull(options.from), to: numberOrNull(options.to), ...mappingResult(isObject(options.result) ? options.result : {}) });
        break;
      case 'regex':
        mappings.push({ type: 'regex', pattern: text(options.pattern), ...mappingResult(isObject(options.result) ? options.result : {}) });
        break;
      case 'special':
        if (['null', 'nan', 'null+nan', 'true', 'false', 'empty'].includes(options.match)) mappings.push({ type: 'special', match: options.match, ...mappingResult(isObject(options.result) ? options.result : {}) });
        break;
      case 1:
        mappings.push(mapping.value === 'null' ? { type: 'special', match: 'null', ...mappingResult(mapping) } : { type: 'value', value: text(mapping.value), ...mappingResult(mapping) });
        break;
      case 2:
        mappings.push({ type: 'range', from: numberOrNull(mapping.from), to: numberOrNull(mapping.to), ...mappingResult(mapping) });
        break;
      default:
        break;
    }
  }
  return mappings;
}

/** Classic singlestat `valueMaps` / `rangeMaps` (which one applies is `mappingType`: 1 values, 2 ranges). */
function classicValueMaps(panel: Record<string, any>): ValueMapping[] {
  const mappings: ValueMapping[] = [];
  const useRanges = panel.mappingType === 2;
  if (!useRanges && Array.isArray(panel.valueMaps)) {
    for (const entry of panel.valueMaps.filter(isObject)) mappings.push(entry.value === 'null' ? { type: 'special', match: 'null', ...mappingResult(entry) } : { type: 'value', value: text(entry.value), ...mappingResult(entry) });
  }
  if (useRanges && Array.isArray(panel.rangeMaps)) {
    for (const entry of panel.rangeMaps.filter(isObject)) mappings.push({ type: 'range', from: numberOrNull(entry.from), to: numberOrNull(entry.to), ...mappingResult(entry) });
  }
  return mappings;
}

export interface FieldOverride {
  matcher: { id: 'byName' | 'byRegexp' | 'byFrameRefID' | 'byClassicAlias'; options: string };
  properties: { id: string; value: unknown }[];
}

function fieldOverrides(panel: Record<string, any>): FieldOverride[] {
  const overrides: FieldOverride[] = [];
  const list = Array.isArray(panel.fieldConfig?.overrides) ? panel.fieldConfig.overrides : [];
  for (const override of list.filter(isObject)) {
    const id = override.matcher?.id;
    if (id !== 'byName' && id !== 'byRegexp' && id !== 'byFrameRefID') continue;
    overrides.push({ matcher: { id, options: text(override.matcher.options) }, properties: Array.isArray(override.properties) ? override.properties.filter(isObject).map((property: any) => ({ id: text(property.id), value: property.value })) : [] });
  }
  // Classic graph: `seriesOverrides` match the legend by name or /regex/; colour, fill and line width carry over.
  for (const override of (Array.isArray(panel.seriesOverrides) ? panel.seriesOverrides : []).filter(isObject)) {
    const properties: { id: string; value: unknown }[] = [];
    if (typeof override.color === 'string') properties.push({ id: 'color', value: { mode: 'fixed', fixedColor: override.color } });
    if (typeof override.fill === 'number') properties.push({ id: 'custom.fillOpacity', value: override.fill * 10 });
    if (typeof override.linewidth === 'number') properties.push({ id: 'custom.lineWidth', value: override.linewidth });
    if (override.legend === false) properties.push({ id: 'custom.hideFrom', value: { legend: true, tooltip: false, viz: false } });
    if (properties.length > 0 && typeof override.alias === 'string') overrides.push({ matcher: { id: 'byClassicAlias', options: override.alias }, properties });
  }
  return overrides;
}

export interface SeriesField extends FieldDefaults {
  /** Overrides' `displayName`, or '' to keep the series name. */
  displayName: string;
  hideFromLegend: boolean;
  hideFromViz: boolean;
}

/** The field config of one series: the defaults with every matching override applied in order. */
export function fieldForSeries(panel: PanelModel, series: { name: string; refId: string }): SeriesField {
  const field: SeriesField = { ...panel.fieldConfig, custom: { ...panel.fieldConfig.custom }, hideFromLegend: false, hideFromViz: false };
  for (const override of panel.overrides) {
    const { id, options } = override.matcher;
    const matches =
      id === 'byName' ? options === series.name
      : id === 'byFrameRefID' ? options === series.refId
      : id === 'byRegexp' || (id === 'byClassicAlias' && /^\/.*\/[a-z]*$/s.test(options)) ? (safeRegex(options)?.test(series.name) ?? false)
      : options === series.name;
    if (!matches) continue;
    for (const property of override.properties) {
      const value = property.value as any;
      switch (property.id) {
        case 'unit':
          field.unit = text(value);
          break;
        case 'decimals':
          field.decimals = numberOrNull(value);
          break;
        case 'min':
          field.min = numberOrNull(value);
          break;
        case 'max':
          field.max = numberOrNull(value);
          break;
        case 'displayName':
        case 'displayNameFromDS':
          field.displayName = text(value);
          break;
        case 'color':
          if (isObject(value)) field.color = { mode: text(value.mode, 'fixed'), fixedColor: text(value.fixedColor) || undefined };
          break;
        case 'thresholds':
          if (isObject(value) && Array.isArray(value.steps)) field.thresholds = { mode: value.mode === 'percentage' ? 'percentage' : 'absolute', steps: value.steps.map((step: any) => ({ value: numberOrNull(step?.value), color: text(step?.color, 'green') })) };
          break;
        case 'mappings':
          field.mappings = valueMappings(value);
          break;
        case 'custom.fillOpacity':
          field.custom.fillOpacity = numberOrNull(value) ?? field.custom.fillOpacity;
          break;
        case 'custom.lineWidth':
          field.custom.lineWidth = numberOrNull(value) ?? field.custom.lineWidth;
          break;
        case 'custom.hideFrom':
          if (isObject(value)) {
            field.hideFromLegend = value.legend === true;
            field.hideFromViz = value.viz === true;
          }
          break;
        default:
          // Other properties (axis placement, transforms, links) are not drawn yet.
          break;
      }
    }
  }
  return field;
}

/** The first mapping that applies to `value`, as Grafana picks it. */
export function mapValue(value: number | null, mappings: ValueMapping[]): { text?: string; color?: string } | null {
  for (const mapping of mappings) {
    switch (mapping.type) {
      case 'value':
        if (value !== null && Number(mapping.value) === value && mapping.value.trim() !== '') return mapping;
        break;
      case 'range':
        if (value !== null && !Number.isNaN(value) && (mapping.from === null || value >= mapping.from) && (mapping.to === null || value <= mapping.to)) return mapping;
        break;
      case 'regex':
        if (value !== null && safeRegex(mapping.pattern)?.test(String(value))) return mapping;
        break;
      case 'special': {
        const isNull = value === null;
        const isNan = value !== null && Number.isNaN(value);
        if ((mapping.match === 'null' && isNull) || (mapping.match === 'nan' && isNan) || (mapping.match === 'null+nan' && (isNull || isNan)) || (mapping.match === 'true' && value === 1) || (mapping.match === 'false' && value === 0)) return mapping;
        break;
      }
      default:
        break;
    }
  }
  return null;
}

function safeRegex(pattern: string): RegExp | null {
  const literal = /^\/(.*)\/([gimsuy]*)$/s.exec(pattern);
  try {
    return literal ? new RegExp(literal[1], literal[2].replace('g', '')) : new RegExp(pattern);
  } catch {
    return null;
  }
}

/** Grafana stores `sortBy` as the column's display name (`Mean`, `Last *`, `Name`); back to a calc id. */
function legendSortBy(name: string): string {
  if (name === '' || name === 'Name') return name;
  const entry = Object.entries(calcNames).find(([id, label]) => label === name || id === name);
  return entry ? entry[0] : '';
}

function panelOptions(panel: Record<string, any>, type: string): PanelOptions {
  const options = isObject(panel.options) ? panel.options : {};
  const legend = isObject(options.legend) ? options.legend : {};
  const reduce = isObject(options.reduceOptions) ? options.reduceOptions : {};
  const result: PanelOptions = {
    legend: {
      showLegend: legend.showLegend !== false && legend.displayMode !== 'hidden',
      displayMode: legend.displayMode === 'table' ? 'table' : legend.displayMode === 'hidden' ? 'hidden' : 'list',
      placement: legend.placement === 'right' ? 'right' : 'bottom',
      calcs: Array.isArray(legend.calcs) ? legend.calcs.map(String) : [],
      sortBy: legendSortBy(text(legend.sortBy)),
      sortDesc: legend.sortDesc === true,
    },
    reduceOptions: {
      calcs: Array.isArray(reduce.calcs) && reduce.calcs.length > 0 ? reduce.calcs.map(String) : ['lastNotNull'],
      values: reduce.values === true,
      limit: numberOrNull(reduce.limit) ?? undefined,
    },
    graphMode: options.graphMode === 'none' ? 'none' : 'area',
    colorMode: options.colorMode === 'background' || options.colorMode === 'background_solid' ? 'background' : options.colorMode === 'none' ? 'none' : 'value',
    textMode: text(options.textMode, 'auto'),
    orientation: options.orientation === 'horizontal' || options.orientation === 'vertical' ? options.orientation : 'auto',
    showThresholdMarkers: options.showThresholdMarkers !== false,
    displayMode: options.displayMode === 'lcd' || options.displayMode === 'basic' ? options.displayMode : 'gradient',
    mode: options.mode === 'html' || options.mode === 'code' ? options.mode : 'markdown',
    content: text(options.content),
    pieType: options.pieType === 'donut' ? 'donut' : 'pie',
    prefix: '',
    postfix: '',
  };

  // Classic panels keep their settings on the panel itself.
  if (panel.type === 'graph' && isObject(panel.legend)) {
    const classicLegend = panel.legend;
    const calcs = ['min', 'max', 'avg', 'current', 'total'].filter((name) => classicLegend[name] === true).map((name) => classicCalcs[name]);
    result.legend = {
      showLegend: classicLegend.show !== false,
      displayMode: classicLegend.show === false ? 'hidden' : classicLegend.alignAsTable === true ? 'table' : 'list',
      placement: classicLegend.rightSide === true ? 'right' : 'bottom',
      calcs,
      sortBy: typeof classicLegend.sort === 'string' ? (classicCalcs[classicLegend.sort] ?? '') : '',
      sortDesc: classicLegend.sortDesc === true,
    };
  }
  if (panel.type === 'singlestat' || panel.type === 'singlestat2') {
    result.reduceOptions = { calcs: [classicCalcs[text(panel.valueName, 'avg')] ?? 'mean'], values: false };
    result.graphMode = panel.sparkline?.show === true ? 'area' : 'none';
    result.colorMode = panel.colorBackground === true ? 'background' : panel.colorValue === true ? 'value' : 'none';
    result.prefix = text(panel.prefix);
    result.postfix = text(panel.postfix);
  }
  if (panel.type === 'text' && options.content === undefined) {
    result.content = text(panel.content);
    result.mode = panel.mode === 'html' ? 'html' : 'markdown';
  }
  if (type === 'stat' && panel.type !== 'singlestat' && options.graphMode === undefined) result.graphMode = 'area';
  return result;
}

/** Classic and renamed types → the type the renderer draws. */
function rendererType(panel: Record<string, any>): string {
  const type = text(panel.type);
  switch (type) {
    case '':
    // Panels without a type (seen in hand-written dashboards) default to a time series graph.
    case 'graph':
    case 'timeseries':
      return 'timeseries';
    case 'singlestat':
    case 'singlestat2':
      return panel.gauge?.show === true ? 'gauge' : 'stat';
    case 'grafana-piechart-panel':
      return 'piechart';
    case 'table-old':
      return 'table';
    default:
      return type;
  }
}

function targets(panel: Record<string, any>): Target[] {
  const list = Array.isArray(panel.targets) ? panel.targets : [];
  return list.filter(isObject).map((target, index) => ({
    refId: text(target.refId) || String.fromCharCode(65 + (index % 26)),
    expr: text(target.expr ?? target.query),
    legendFormat: text(target.legendFormat),
    instant: target.instant === true && target.range !== true,
    hide: target.hide === true,
    interval: text(target.interval),
    intervalFactor: numberOrNull(target.intervalFactor) ?? 1,
    format: target.format === 'table' || target.format === 'heatmap' ? target.format : 'time_series',
  }));
}

let fallbackId = 10_000;

function panelModel(panel: Record<string, any>, gridPos: GridPosition): PanelModel {
  const type = rendererType(panel);
  const classic = panel.type === 'graph' || panel.type === 'singlestat' || panel.type === 'singlestat2' || panel.type === undefined || (panel.type === 'text' && !isObject(panel.options));
  return {
    id: numberOrNull(panel.id) ?? fallbackId++,
    type,
    originalType: text(panel.type) || '(none)',
    title: text(panel.title),
    description: text(panel.description),
    gridPos,
    targets: targets(panel),
    fieldConfig: fieldDefaults(panel, classic),
    overrides: fieldOverrides(panel),
    options: panelOptions(panel, type),
    maxDataPoints: numberOrNull(panel.maxDataPoints),
    interval: text(panel.interval),
    transparent: panel.transparent === true,
    repeat: text(panel.repeat),
    collapsed: panel.collapsed === true,
    panels: [],
    timeZone: 'browser',
    cursorSync: '',
  };
}

function gridPosOf(panel: Record<string, any>): GridPosition | null {
  const position = panel.gridPos;
  if (!isObject(position)) return null;
  const w = numberOrNull(position.w) ?? 12;
  const h = numberOrNull(position.h) ?? 8;
  return { x: Math.min(Math.max(0, numberOrNull(position.x) ?? 0), 23), y: Math.max(0, numberOrNull(position.y) ?? 0), w: Math.min(Math.max(1, w), 24), h: Math.max(1, h) };
}

/** Grafana's grid: 30 px rows with 8 px gaps, so classic pixel heights map to whole rows. */
export const GRID_CELL_HEIGHT = 30;
export const GRID_CELL_MARGIN = 8;

function heightToRows(height: unknown, fallback: number): number {
  const pixels = typeof height === 'number' ? height : typeof height === 'string' ? Number.parseInt(height, 10) : Number.NaN;
  if (!Number.isFinite(pixels)) return fallback;
  return Math.max(2, Math.ceil(pixels / (GRID_CELL_HEIGHT + GRID_CELL_MARGIN)));
}

/** Flows panels without positions left to right, 12 columns (half width) each unless `span` says. */
class Flow {
  x = 0;
  y = 0;
  rowHeight = 0;
  place(width: number, height: number): GridPosition {
    if (this.x + width > 24) this.newLine();
    const position = { x: this.x, y: this.y, w: width, h: height };
    this.x += width;
    this.rowHeight = Math.max(this.rowHeight, height);
    return position;
  }
  newLine(): void {
    if (this.x === 0 && this.rowHeight === 0) return;
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
  fullWidth(height: number): GridPosition {
    this.newLine();
    const position = { x: 0, y: this.y, w: 24, h: height };
    this.y += height;
    return position;
  }
}

function defaultSize(panel: Record<string, any>): { w: number; h: number } {
  const span = numberOrNull(panel.span);
  const type = rendererType(panel);
  const small = type === 'stat' || type === 'gauge';
  return { w: span !== null ? Math.min(24, Math.max(1, Math.round(span * 2))) : small ? 6 : 12, h: heightToRows(panel.height, small ? 5 : 8) };
}

/** Normalizes Grafana dashboard JSON (bare or wrapped); throws with a precise reason when it is not one. */
export function normalizeDashboard(json: unknown, fallbackUid = ''): DashboardModel {
  const source = unwrapDashboard(json);
  const panels: PanelModel[] = [];
  const flow = new Flow();

  if (Array.isArray(source.rows) && !Array.isArray(source.panels)) {
    // Classic rows: each row becomes a row panel (when titled) followed by its panels by span.
    for (const row of source.rows.filter(isObject)) {
      const rowPanels = Array.isArray(row.panels) ? row.panels.filter(isObject) : [];
      const rowHeight = heightToRows(row.height, 8);
      const titled = row.showTitle === true || (typeof row.title === 'string' && row.title !== '' && row.title !== 'Dashboard Row' && row.title !== 'New row');
      const collapsed = row.collapse === true;
      if (titled || collapsed) {
        const rowPanel = panelModel({ type: 'row', title: row.title, collapsed }, flow.fullWidth(1));
        panels.push(rowPanel);
        const children = rowPanels.map((panel) => panelModel(panel, flow.place(defaultSize(panel).w, heightToRows(panel.height, rowHeight))));
        flow.newLine();
        if (collapsed) rowPanel.panels = children;
        else panels.push(...children);
      } else {
        for (const panel of rowPanels) panels.push(panelModel(panel, flow.place(defaultSize(panel).w, heightToRows(panel.height, rowHeight))));
        flow.newLine();
      }
    }
  } else {
    const list = Array.isArray(source.panels) ? source.panels.filter(isObject) : [];
    for (const panel of list) {
      const position = gridPosOf(panel);
      const size = defaultSize(panel);
      const model = panelModel(panel, position ?? (panel.type === 'row' ? flow.fullWidth(1) : flow.place(size.w, size.h)));
      if (panel.type === 'row' && Array.isArray(panel.panels)) {
        model.panels = panel.panels.filter(isObject).map((child: Record<string, any>) => panelModel(child, gridPosOf(child) ?? flow.place(defaultSize(child).w, defaultSize(child).h)));
      }
      panels.push(model);
    }
  }

  const cursorSync = source.graphTooltip === 1 || source.graphTooltip === 2 ? `dashboard-${text(source.uid) || fallbackUid || text(source.title)}` : '';
  for (const panel of panels) {
    for (const each of [panel, ...panel.panels]) {
      if (source.timezone === 'utc') each.timeZone = 'utc';
      each.cursorSync = cursorSync;
    }
  }
  const templating = isObject(source.templating) && Array.isArray(source.templating.list) ? source.templating.list.filter(isObject) : [];
  const time = isObject(source.time) ? source.time : {};
  return {
    uid: text(source.uid) || fallbackUid,
    title: text(source.title, 'Untitled dashboard') || 'Untitled dashboard',
    tags: Array.isArray(source.tags) ? source.tags.map(String) : [],
    panels,
    variables: templating.map(variableModel),
    annotations: annotationQueries(source),
    time: { from: text(time.from, 'now-6h') || 'now-6h', to: text(time.to, 'now') || 'now' },
    refresh: typeof source.refresh === 'string' ? source.refresh : '',
    timeZone: source.timezone === 'utc' ? 'utc' : 'browser',
    source,
  };
}

function variableModel(variable: Record<string, any>): VariableModel {
  const query = isObject(variable.query) ? text(variable.query.query) : text(variable.query);
  const current = isObject(variable.current) && variable.current.value !== undefined ? { text: variable.current.text ?? variable.current.value, value: variable.current.value } : null;
  return {
    name: text(variable.name),
    type: text(variable.type, 'query'),
    label: text(variable.label),
    hide: numberOrNull(variable.hide) ?? 0,
    query,
    regex: text(variable.regex),
    multi: variable.multi === true,
    includeAll: variable.includeAll === true,
    allValue: typeof variable.allValue === 'string' && variable.allValue !== '' ? variable.allValue : null,
    current,
    options: Array.isArray(variable.options) ? variable.options.filter(isObject).map((option: any) => ({ text: text(option.text ?? option.value), value: text(option.value) })) : [],
    sort: numberOrNull(variable.sort) ?? 0,
    auto: variable.auto === true,
    autoCount: numberOrNull(variable.auto_count) ?? 30,
    autoMin: text(variable.auto_min, '10s') || '10s',
  };
}

export interface AnnotationQuery {
  name: string;
  expr: string;
  enable: boolean;
  color: string;
  /** Query step (`step`, default 60s). */
  step: string;
  /** Title and text with `{{label}}` placeholders. */
  titleFormat: string;
  textFormat: string;
  tagKeys: string[];
}

/** Annotation queries Grafana's Prometheus data source runs: series whose non-zero points mark events. */
function annotationQueries(source: Record<string, any>): AnnotationQuery[] {
  const list = isObject(source.annotations) && Array.isArray(source.annotations.list) ? source.annotations.list.filter(isObject) : [];
  return list
    .filter((annotation: Record<string, any>) => text(annotation.expr ?? annotation.target?.expr).trim() !== '')
    .map((annotation: Record<string, any>) => ({
      name: text(annotation.name, 'Annotations'),
      expr: text(annotation.expr ?? annotation.target?.expr),
      enable: annotation.enable !== false,
      color: text(annotation.iconColor, 'rgba(255, 96, 96, 1)'),
      step: text(annotation.step ?? annotation.target?.step, '60s') || '60s',
      titleFormat: text(annotation.titleFormat),
      textFormat: text(annotation.textFormat),
      tagKeys: text(annotation.tagKeys)
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key !== ''),
    }));
}

/** Grafana's slug: lower case, runs of other characters become one dash. */
export function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'dashboard'
  );
}

/**
 * Sections of the dashboard in display order: panels before the first row, then each row with the
 * panels that follow it (expanded) or that it holds (collapsed).
 */
export interface Section {
  row: PanelModel | null;
  panels: PanelModel[];
}

export function sections(panels: PanelModel[]): Section[] {
  const ordered = [...panels].sort((left, right) => left.gridPos.y - right.gridPos.y || left.gridPos.x - right.gridPos.x);
  const result: Section[] = [{ row: null, panels: [] }];
  for (const panel of ordered) {
    if (panel.type === 'row') result.push({ row: panel, panels: panel.collapsed ? panel.panels : [] });
    else result[result.length - 1].panels.push(panel);
  }
  return result.filter((section) => section.row !== null || section.panels.length > 0);
}

/**
 * Vertical compaction as Grafana's grid does it: each panel moves up until it would overlap one
 * above, so gaps left by `y` values (or collapsed rows) close. Positions are relative to the section.
 */
export function compactLayout(panels: PanelModel[]): Map<PanelModel, GridPosition> {
  const ordered = [...panels].sort((left, right) => left.gridPos.y - right.gridPos.y || left.gridPos.x - right.gridPos.x);
  const columnBottoms = new Array<number>(24).fill(0);
  const layout = new Map<PanelModel, GridPosition>();
  for (const panel of ordered) {
    const { x, w, h } = panel.gridPos;
    const end = Math.min(24, x + w);
    let y = 0;
    for (let column = x; column < end; column++) y = Math.max(y, columnBottoms[column]);
    for (let column = x; column < end; column++) columnBottoms[column] = y + h;
    layout.set(panel, { x, y, w: end - x, h });
  }
  return layout;
}
