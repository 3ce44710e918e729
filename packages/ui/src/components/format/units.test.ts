import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoDecimals, formatValueText } from './units.ts';

test('Grafana units print as Grafana prints them', () => {
  const cases: [number | null, string, number | null, string][] = [
    [1234, 'short', null, '1.23 K'],
    [999, 'short', null, '999'],
    [2_500_000, 'short', null, '2.50 Mil'],
    [0.4567, 'percentunit', 1, '45.7%'],
    [87.5, 'percent', null, '87.5%'],
    [0.25, 's', null, '250 ms'],
    [42, 's', null, '42 s'],
    [90, 's', null, '1.50 min'],
    [7200, 's', null, '2 hour'],
    [1500, 'ms', null, '1.50 s'],
    [0.5, 'ms', null, '500 µs'],
    [250, 'µs', null, '250 µs'],
    [1500, 'ns', null, '1.50 µs'],
    [1536, 'bytes', null, '1.50 KiB'],
    [1_500_000, 'decbytes', null, '1.50 MB'],
    [2048, 'bits', null, '2 Kib'],
    [0.5, 'kbytes', null, '512 B'],
    [12.345, 'reqps', 2, '12.35 req/s'],
    [3, 'ops', null, '3 ops/s'],
    [5, 'none', null, '5'],
    [1, 'bool', null, 'true'],
    [3.5, 'suffix: widgets', null, '3.50 widgets'],
    [3, 'widgets', null, '3 widgets'],
    [null, 'short', null, 'No data'],
    [Number.POSITIVE_INFINITY, 'short', null, '+Inf'],
  ];
  for (const [value, unit, decimals, expected] of cases) assert.equal(formatValueText(value, unit, decimals), expected, `${value} ${unit}`);
});

test('automatic decimals: about two significant digits, none for integers', () => {
  assert.equal(autoDecimals(12), 0);
  assert.equal(autoDecimals(1.2345), 2);
  assert.equal(autoDecimals(0.012345), 4);
  assert.equal(formatValueText(0.000123, 'none'), '0.000123');
});
