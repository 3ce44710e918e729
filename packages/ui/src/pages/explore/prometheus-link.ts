/**
 * Prometheus's own graph links (`/graph?g0.expr=…&g0.tab=1&g0.range_input=1h`), which alert
 * notifications carry as their generator URL and `graphLink`/`tableLink` templates write, translated
 * into Explore's URL.
 */
export function exploreUrlFromPrometheusLink(query: URLSearchParams): string {
  const expr = query.get('g0.expr') ?? '';
  const parameters = new URLSearchParams();
  if (expr !== '') parameters.set('query', expr);
  const range = query.get('g0.range_input');
  const end = query.get('g0.end_input');
  const moment = query.get('g0.moment_input');
  // Prometheus's end/moment inputs are UTC `YYYY-MM-DD HH:mm:ss`.
  const endMs = parseUtc(query.get('g0.tab') === '1' ? (moment ?? end) : (end ?? moment));
  const rangeMs = range ? parseRange(range) : null;
  if (endMs !== null) {
    parameters.set('from', String(endMs - (rangeMs ?? 3_600_000)));
    parameters.set('to', String(endMs));
  } else if (range && rangeMs !== null) {
    parameters.set('from', `now-${range}`);
    parameters.set('to', 'now');
  }
  if (query.get('g0.tab') === '1') parameters.set('view', 'table');
  if (query.get('g0.stacked') === '1') parameters.set('stacked', '1');
  const step = query.get('g0.step_input');
  if (step && /^\d+(\.\d+)?$/.test(step)) parameters.set('step', `${step}s`);
  const search = parameters.toString();
  return `/explore${search ? `?${search}` : ''}`;
}

function parseUtc(text: string | null): number | null {
  if (!text) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(text.trim());
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0));
}

/** `1h`, `30m`, `2d`, `1w`, `1y` as Prometheus's range input writes them. */
function parseRange(text: string): number | null {
  const match = /^(\d+)([smhdwy])$/.exec(text.trim());
  if (!match) return null;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 }[match[2] as 's'];
  return Number(match[1]) * unit;
}
