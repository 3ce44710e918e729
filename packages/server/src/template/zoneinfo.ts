/**
 * Time zone abbreviations ("CET", "CEST") from the system's zoneinfo files, which is where Go's
 * time package takes them; Intl only knows names for a few regions and says "GMT+1" elsewhere.
 * Offsets still come from Intl; this only names them.
 */
import { readFileSync } from 'node:fs';

interface ZoneNames {
  /** Abbreviations by UTC offset in seconds, latest definition winning. */
  byOffset: Map<number, string>;
}

const cache = new Map<string, ZoneNames | undefined>();
const zoneinfoDirectory = '/usr/share/zoneinfo';

/** The abbreviation Go would print for `location` at `offsetSeconds`, if the zoneinfo file says. */
export function zoneAbbreviationFromZoneinfo(location: string, offsetSeconds: number): string | undefined {
  if (!cache.has(location)) cache.set(location, loadZoneNames(location));
  return cache.get(location)?.byOffset.get(offsetSeconds);
}

function loadZoneNames(location: string): ZoneNames | undefined {
  // Only plain zone names; never a path that leaves the zoneinfo directory.
  if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(location)) return undefined;
  let data: Buffer;
  try {
    data = readFileSync(`${zoneinfoDirectory}/${location}`);
  } catch {
    return undefined;
  }
  if (data.length < 44 || data.toString('latin1', 0, 4) !== 'TZif') return undefined;
  const byOffset = new Map<number, string>();
  const version = data[4];
  let offset = 0;
  // Version 2+ files repeat the data with 64-bit times; the v1 block is skipped then.
  const readBlock = (timeSize: number): number => {
    const count = (index: number): number => data.readUInt32BE(offset + 20 + index * 4);
    const [isUtCount, isStdCount, leapCount, timeCount, typeCount, charCount] = [count(0), count(1), count(2), count(3), count(4), count(5)];
    const start = offset + 44;
    const typesStart = start + timeCount * timeSize + timeCount;
    const charsStart = typesStart + typeCount * 6;
    const end = charsStart + charCount + leapCount * (timeSize + 4) + isStdCount + isUtCount;
    if (end > data.length) return data.length;
    // Transitions in time order: the type used by the latest transition names its offset.
    const typeOrder: number[] = [];
    for (let index = 0; index < timeCount; index++) typeOrder.push(data[start + timeCount * timeSize + index]);
    for (let type = 0; type < typeCount; type++) if (!typeOrder.includes(type)) typeOrder.unshift(type);
    for (const type of typeOrder) {
      const entry = typesStart + type * 6;
      if (entry + 6 > charsStart) continue;
      const utcOffset = data.readInt32BE(entry);
      const abbreviationIndex = data[entry + 5];
      const terminator = data.indexOf(0, charsStart + abbreviationIndex);
      if (terminator < 0) continue;
      byOffset.set(utcOffset, data.toString('latin1', charsStart + abbreviationIndex, terminator));
    }
    return end;
  };
  offset = readBlock(4);
  if (version >= 0x32 && offset + 44 <= data.length && data.toString('latin1', offset, offset + 4) === 'TZif') {
    byOffset.clear();
    offset = readBlock(8);
    // The footer's POSIX TZ string names the rules in force after the last transition.
    const footer = data.toString('latin1', offset).trim();
    const rule = /^(<[^>]+>|[A-Za-z]+)([+-]?\d+(?::\d+){0,2})(?:(<[^>]+>|[A-Za-z]+)([+-]?\d+(?::\d+){0,2})?)?/.exec(footer);
    if (rule !== null) {
      const standardOffset = -parsePosixOffset(rule[2]);
      byOffset.set(standardOffset, unbracket(rule[1]));
      if (rule[3] !== undefined) byOffset.set(rule[4] === undefined ? standardOffset + 3600 : -parsePosixOffset(rule[4]), unbracket(rule[3]));
    }
  }
  return { byOffset };
}

function unbracket(name: string): string {
  return name.startsWith('<') ? name.slice(1, -1) : name;
}

/** "-1" → -3600, "5:30" → 19800 (POSIX offsets are west-positive; the caller negates). */
function parsePosixOffset(text: string): number {
  const negative = text.startsWith('-');
  const [hours, minutes = '0', seconds = '0'] = text.replace(/^[+-]/, '').split(':');
  const total = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  return negative ? -total : total;
}
