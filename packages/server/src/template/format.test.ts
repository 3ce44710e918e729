import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sprint, sprintf, sprintln } from './format.ts';
import { formatFloat } from '../model/index.ts';
import { renderTemplate } from './template.ts';
import { GoUint, stringMap } from './value.ts';

/** [format, arguments, what Go's fmt.Sprintf prints]. Ints are bigint, float64 is number. */
const cases: [string, unknown[], string][] = [
  // Fixed-point floats: exact binary value, ties to even.
  ['%.2f', [1.005], '1.00'],
  ['%.2f', [0.125], '0.12'],
  ['%.2f', [0.375], '0.38'],
  ['%.0f', [0.5], '0'],
  ['%.0f', [1.5], '2'],
  ['%.0f', [2.5], '2'],
  ['%.0f', [3.5], '4'],
  ['%.1f', [0.05], '0.1'],
  ['%.1f', [0.25], '0.2'],
  ['%.1f', [0.35], '0.3'],
  // 12.345 is stored as 12.3450000000000006…, so it rounds up.
  ['%.2f', [12.345], '12.35'],
  ['%f', [4.56789], '4.567890'],
  ['%f', [1e20], '100000000000000000000.000000'],
  ['%.3f', [-0.0005], '-0.001'],
  ['%.2f', [-0.001], '-0.00'],
  ['%5.1f', [4.56789], '  4.6'],
  ['%-8.2f|', [4.56789], '4.57    |'],
  ['%08.3f', [-4.56789], '-004.568'],
  ['%05.1f', [2.25], '002.2'],
  ['%+.2f', [1.5], '+1.50'],
  ['% .2f', [1.5], ' 1.50'],
  ['%0.2f', [3720.01], '3720.01'],
  ['%F', [1.5], '1.500000'],
  // Exponent form.
  ['%e', [1234.5678], '1.234568e+03'],
  ['%E', [0.000123], '1.230000E-04'],
  ['%.3e', [1e100], '1.000e+100'],
  ['%.0e', [15], '2e+01'],
  ['%.0e', [25], '2e+01'],
  ['%.2e', [0], '0.00e+00'],
  ['%e', [0], '0.000000e+00'],
  ['%-12.2e|', [-1234.5], '-1.23e+03   |'],
  // %g and %v: shortest representation, exponent from 1e+21 in %v (precision 6 for the decision).
  ['%g', [1e6], '1e+06'],
  ['%g', [100000], '100000'],
  ['%g', [1e-5], '1e-05'],
  ['%g', [0.0001], '0.0001'],
  ['%g', [1], '1'],
  ['%g', [123456789], '1.23456789e+08'],
  ['%G', [1e-10], '1E-10'],
  ['%.3g', [1234], '1.23e+03'],
  ['%.3g', [0.0001234], '0.000123'],
  ['%.10g', [1 / 3], '0.3333333333'],
  ['%.4g', [1.235], '1.235'],
  ['%.3g', [1.235], '1.24'],
  ['%.4g', [100], '100'],
  ['%.4g', [0], '0'],
  ['%.4g', [1234567.0 / 1e6], '1.235'],
  ['%.4g', [123456700], '1.235e+08'],
  ['%.4g', [9.2233720368547758e18 / 1e18], '9.223'],
  ['%.0g', [123], '1e+02'],
  ['%5.2g|', [1], '    1|'],
  ['%v', [0.1 + 0.2], '0.30000000000000004'],
  ['%v', [-0], '-0'],
  ['%v', [1e21], '1e+21'],
  ['%v', [1e20], '1e+20'],
  ['%v', [123456], '123456'],
  ['%v', [1234567], '1.234567e+06'],
  ['%v', [1e8], '1e+08'],
  ['%v', [0.000001], '1e-06'],
  ['%v', [5e-324], '5e-324'],
  ['%v', [1.7976931348623157e308], '1.7976931348623157e+308'],
  ['%v', [Number.NaN], 'NaN'],
  ['%v', [Infinity], '+Inf'],
  ['%v', [-Infinity], '-Inf'],
  ['%f', [Infinity], '+Inf'],
  ['%5.1f', [Number.NaN], '  NaN'],
  ['%05.1f', [Infinity], ' +Inf'],
  ['%+f', [Number.NaN], '+NaN'],
  ['%.2f', [-Infinity], '-Inf'],
  // Integers.
  ['%d', [42n], '42'],
  ['%5d', [42n], '   42'],
  ['%-5d|', [42n], '42   |'],
  ['%05d', [-42n], '-0042'],
  ['%+d', [5n], '+5'],
  ['% d', [5n], ' 5'],
  ['%.3d', [7n], '007'],
  ['%x', [255n], 'ff'],
  ['%X', [255n], 'FF'],
  ['%#x', [255n], '0xff'],
  ['%o', [8n], '10'],
  ['%#o', [8n], '010'],
  ['%b', [5n], '101'],
  ['%x', [-255n], '-ff'],
  ['%08x', [255n], '000000ff'],
  ['%c', [65n], 'A'],
  ['%q', [65n], "'A'"],
  ['%U', [65n], 'U+0041'],
  ['%v', [-9223372036854775808n], '-9223372036854775808'],
  ['%d', [new GoUint(200n)], '200'],
  // Strings.
  ['%s', ['hi'], 'hi'],
  ['%5s', ['hi'], '   hi'],
  ['%-5s|', ['hi'], 'hi   |'],
  ['%.1s', ['hi'], 'h'],
  ['%8.3s|', ['abcdef'], '     abc|'],
  ['%.2s', ['héllo'], 'hé'],
  ['%q', ['hi'], '"hi"'],
  ['%q', ['a"b'], '"a\\"b"'],
  ['%q', ['tab\tnew\nline\\'], '"tab\\tnew\\nline\\\\"'],
  ['%q', ['é'], '"é"'],
  ['%+q', ['é'], '"\\u00e9"'],
  ['%#q', ['back'], '`back`'],
  ['%q', ['\x00'], '"\\x00"'],
  ['%x', ['hi'], '6869'],
  ['%X', ['hi'], '6869'],
  ['% x', ['hi'], '68 69'],
  ['%x', ['é'], 'c3a9'],
  ['%05s', ['ab'], '000ab'],
  ['%v', ['plain'], 'plain'],
  // Booleans.
  ['%t', [true], 'true'],
  ['%v', [false], 'false'],
  ['%5t|', [true], ' true|'],
  // Composite values.
  ['%v', [['a', 'b']], '[a b]'],
  ['%q', [['a', 'b']], '["a" "b"]'],
  ['%d', [[1n, 2n]], '[1 2]'],
  ['%s', [stringMap({ b: '2', a: '1' })], 'map[a:1 b:2]'],
  ['%v', [new Map([['k', 1n]])], 'map[k:1]'],
  ['%v', [[]], '[]'],
  ['%v', [[1.5, 1e6]], '[1.5 1e+06]'],
  // Types.
  ['%T', ['x'], 'string'],
  ['%T', [1n], 'int'],
  ['%T', [1.5], 'float64'],
  ['%T', [true], 'bool'],
  ['%T', [['x']], '[]interface {}'],
  ['%T', [stringMap({})], 'map[string]string'],
  ['%T', [null], '<nil>'],
  // Wrong types and argument count, as Go reports them.
  ['%s', [5n], '%!s(int=5)'],
  ['%d', ['x'], '%!d(string=x)'],
  ['%d', [1.5], '%!d(float64=1.5)'],
  ['%f', [5n], '%!f(int=5)'],
  ['%t', [1n], '%!t(int=1)'],
  ['%s', [null], '%!s(<nil>)'],
  ['%d', [null], '%!d(<nil>)'],
  ['%v', [null], '<nil>'],
  ['%s', [true], '%!s(bool=true)'],
  ['%d %d', [1n], '1 %!d(MISSING)'],
  ['%d', [1n, 2n], '1%!(EXTRA int=2)'],
  ['%d', [1n, 'a', 'b'], '1%!(EXTRA string=a, string=b)'],
  ['%z', [1n], '%!z(int=1)'],
  ['%', [], '%!(NOVERB)'],
  ['%%', [], '%'],
  ['100%%', [], '100%'],
  ['no verbs', [], 'no verbs'],
  ['%!', [], '%!!(MISSING)'],
  // Star width and precision.
  ['%*d', [5n, 42n], '   42'],
  ['%-*d|', [5n, 42n], '42   |'],
  ['%*d|', [-5n, 42n], '42   |'],
  ['%.*f', [2n, 4.56789], '4.57'],
  ['%*d', ['x', 42n], '%!(BADWIDTH)42'],
  // Plus flag on %v names struct fields but does not sign numbers.
  ['%+v', [5n], '5'],
  ['%+d', [-5n], '-5'],
];

describe('Go fmt.Sprintf', () => {
  for (const [format, args, expected] of cases) {
    it(`${format} ${args.map((argument) => String(argument)).join(' ')}`, () => {
      assert.equal(sprintf(format, args), expected);
    });
  }
});

describe('Go fmt.Sprint and Sprintln', () => {
  it('Sprint adds spaces only between non-string operands', () => {
    assert.equal(sprint(['a', 'b']), 'ab');
    assert.equal(sprint([1n, 2n]), '1 2');
    assert.equal(sprint(['a', 1n, 2n, 'b']), 'a1 2b');
    assert.equal(sprint([1.5, true]), '1.5 true');
    assert.equal(sprint([]), '');
  });
  it('Sprintln always separates and ends with a newline', () => {
    assert.equal(sprintln(['a', 'b']), 'a b\n');
    assert.equal(sprintln([]), '\n');
  });
});

describe('strconv.FormatFloat', () => {
  const table: [number, 'e' | 'f' | 'g', number, string][] = [
    [1, 'f', -1, '1'],
    [1.5, 'f', -1, '1.5'],
    [1e21, 'f', -1, '1000000000000000000000'],
    [1.5, 'e', -1, '1.5e+00'],
    [0.000001234, 'g', -1, '1.234e-06'],
    [123456789012, 'g', -1, '1.23456789012e+11'],
    [2 ** 60, 'f', 0, '1152921504606846976'],
    [0.1, 'f', 20, '0.10000000000000000555'],
    [5e-324, 'e', 3, '4.941e-324'],
  ];
  for (const [value, format, precision, expected] of table) {
    it(`${value} ${format} ${precision}`, () => assert.equal(formatFloat(value, format, precision), expected));
  }
});

describe('printf inside templates', () => {
  const table: [string, string][] = [
    ['{{ printf "%.2f" 1.005 }}', '1.00'],
    ['{{ printf "%d" 3 }}', '3'],
    ['{{ printf "%d" 3.0 }}', '%!d(float64=3)'],
    ['{{ printf "%.1f" 3 }}', '%!f(int=3)'],
    ['{{ printf "%v|%v" 1e3 1000 }}', '1000|1000'],
    ["{{ printf \"%c%c\" 'o' 'k' }}", 'ok'],
    ['{{ printf "%5.1f%%" 99.95 }}', '100.0%'],
    ['{{ printf "%s" 1 }}', '%!s(int=1)'],
    ['{{ printf "%x" "vigil" }}', '766967696c'],
    ['{{ printf "%-6s|%6s" "ab" "cd" }}', 'ab    |    cd'],
    ['{{ 12.345 | printf "%.2f" }}', '12.35'],
  ];
  for (const [text, expected] of table) {
    it(text, async () => assert.equal(await renderTemplate(text, null), expected));
  }
});
