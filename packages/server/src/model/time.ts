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

/** Prints milliseconds as Prometheus's `model.Duration` does: `1h30m`, `90d`, `1w`, `0s`. */
export function formatDuration(milliseconds: number): string {
  let remaining = Math.trunc(milliseconds);
  if (remaining === 0) return '0s';
  let sign = '';
  if (remaining < 0) {
    sign = '-';
    remaining = -remaining;
  }
  let out = '';
  const take = (unit: string, exact: boolean): void => {
    const multiplier = UNIT_MS[unit];
    // Years and weeks only when nothing remains: 90d reads better than 12w6d.
    if (exact && remaining % multiplier !== 0) return;
    const count = Math.floor(remaining / multiplier);
    if (count > 0) {
      out += `${count}${unit}`;
      remaining -= count * multiplier;
    }
  };
  take('y', true);
  take('w', true);
  take('d', false);
  take('h', false);
  take('m', false);
  take('s', false);
  take('ms', false);
  return sign + out;
}
