import { randomFillSync } from 'node:crypto';

/**
 * ULIDs (https://github.com/ulid/spec): 48-bit millisecond time and 80 random bits in Crockford
 * base32, 26 characters that sort by creation time. Within one millisecond the random part is
 * incremented, so ids made by this process are strictly increasing.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

let lastTime = -1;
const lastRandom = new Uint8Array(10);

export function newUlid(now: number = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime;
    let k = lastRandom.length - 1;
    while (k >= 0 && lastRandom[k] === 255) lastRandom[k--] = 0;
    if (k < 0) {
      // 2^80 ids in one millisecond: move on to the next millisecond.
      now = lastTime + 1;
      randomFillSync(lastRandom);
    } else {
      lastRandom[k]++;
    }
  } else {
    randomFillSync(lastRandom);
  }
  lastTime = now;
  let out = '';
  let t = now;
  const time = new Array<string>(10);
  for (let i = 9; i >= 0; i--) {
    time[i] = ALPHABET[t % 32];
    t = Math.floor(t / 32);
  }
  out = time.join('');
  // 80 bits → 16 characters of 5 bits, most significant first.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < lastRandom.length; i++) {
    acc = ((acc << 8) | lastRandom[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
  }
  return out;
}

export function isUlid(s: string): boolean {
  return ULID_RE.test(s);
}

/** The creation time encoded in a ULID (ms since the epoch). */
export function ulidTime(ulid: string): number {
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(ulid[i]);
  return t;
}
