import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../value.ts';
import { formatExpr, parseExpr, prettifyExpr } from './index.ts';

/**
 * Hostile and random input: whatever the text, parseExpr either returns a tree that prints and
 * re-parses to the same text, or throws a ParseError — never another exception, never a hang.
 */

const FRAGMENTS = [
  'foo', 'bar', 'sum', 'rate', 'topk', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool',
  'offset', '@', 'start()', 'end()', 'and', 'or', 'unless', 'atan2', '(', ')', '{', '}', '[', ']', ',', ':',
  '=', '!=', '=~', '!~', '==', '>', '<=', '+', '-', '*', '/', '%', '^', '1', '0.5', '5m', '1h30m', '0x1f',
  'Inf', 'NaN', '"a"', "'b'", '`c`', '"x.y"', 'job', '__name__', 'abs', 'histogram_quantile', 'count_values',
  '#', '\n', ' ', '  ', '"\\n"', '"\\q"', '1e', '.', '::', 'é', '"',
];

/** A small deterministic generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function checkInput(input: string): void {
  let printed: string;
  try {
    printed = formatExpr(parseExpr(input));
  } catch (error) {
    assert.ok(error instanceof ParseError, `${JSON.stringify(input)} threw ${String(error)}`);
    assert.match(error.message, /^(\d+:\d+|unknown position): parse error: /);
    return;
  }
  const reparsed = parseExpr(printed);
  assert.equal(formatExpr(reparsed), printed, `round trip of ${JSON.stringify(input)}`);
  assert.equal(formatExpr(parseExpr(prettifyExpr(reparsed))), printed);
}

describe('random token soup', () => {
  it('never fails other than with a ParseError, and round-trips what it accepts', () => {
    const next = random(20261201);
    let accepted = 0;
    for (let iteration = 0; iteration < 4000; iteration++) {
      const length = 1 + Math.floor(next() * 12);
      const parts: string[] = [];
      for (let index = 0; index < length; index++) {
        parts.push(FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]);
        if (next() < 0.5) parts.push(' ');
      }
      const input = parts.join('');
      checkInput(input);
      try {
        parseExpr(input);
        accepted++;
      } catch {
        // Counted only to make sure the generator also produces valid queries.
      }
    }
    assert.ok(accepted > 100, `only ${accepted} random inputs were valid`);
  });

  it('random characters', () => {
    const next = random(7);
    const alphabet = 'ab(){}[]<>=!~"\'`#@:,.+-*/%^ \n\t0123456789eExXsmhdwyé\\';
    for (let iteration = 0; iteration < 3000; iteration++) {
      let input = '';
      const length = Math.floor(next() * 16);
      for (let index = 0; index < length; index++) input += alphabet[Math.floor(next() * alphabet.length)];
      checkInput(input);
    }
  });
});

describe('deep nesting', () => {
  it('handles a thousand levels', () => {
    assert.equal(formatExpr(parseExpr(`${'('.repeat(1000)}1${')'.repeat(1000)}`)).length, 2001);
    assert.equal(formatExpr(parseExpr(`a${' + a'.repeat(1000)}`)).length, 4001);
    assert.equal(formatExpr(parseExpr(`${'-'.repeat(1000)}1`)), '1');
  });

  it('reports absurd nesting as a parse error, not a stack overflow', () => {
    for (const input of [`${'('.repeat(100_000)}1${')'.repeat(100_000)}`, `${'abs('.repeat(50_000)}a${')'.repeat(50_000)}`]) {
      assert.throws(() => parseExpr(input), (error: unknown) => {
        assert.ok(error instanceof ParseError);
        assert.equal(error.message, '1:1: parse error: expression is nested too deeply');
        return true;
      });
    }
  });
});
