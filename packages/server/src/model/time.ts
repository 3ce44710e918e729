/** Time helpers. All timestamps inside Vigil are milliseconds since the Unix epoch, held in numbers. */

/** Something that tells the time; injected wherever time matters so tests never wait on the wall clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const UNIT_MS: Record<string, number> = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Parses a Prometheus duration (`1h30m`, `15s`, `2w`, `0`) into milliseconds. Units must appear in
 * order from largest to smallest, each at most once, as Prometheus's model.ParseDuration requires.
 */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const match = DURATION.exec(text);
  if (text === '' || match === null) {
    throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
  }
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let total = 0;
  for (let i = 0; i < units.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) total += Number(part) * UNIT_MS[units[i]];
  }
  if (!Number.isSafeInteger(total)) throw new Error(`duration out of range: ${JSON.stringify(text)}`);
  return total;
}

/** Formats milliseconds as Prometheus prints a duration (`1h30m`, `15s`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  if (rest < 0) {
    out = '-';
    rest = -rest;
  }
  for (const unit of ['y', 'w', 'd', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** Parses an API time parameter: float seconds since the epoch or RFC 3339. Returns milliseconds. */
export function parseTimeParam(text: string): number {
  const seconds = Number(text);
  if (text.trim() !== '' && Number.isFinite(seconds)) return Math.round(seconds * 1000);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`cannot parse ${JSON.stringify(text)} to a valid timestamp`);
  return ms;
}
