// Tests for quantity.ts; expected strings and values were checked against upstream resource.Quantity.
import {
  MAX_EXPONENT,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  Quantity,
  QuantityParseError,
  add,
  compare,
  format,
  isValidQuantity,
  isZero,
  milliValue,
  neg,
  newMilliQuantity,
  newQuantity,
  parseQuantity,
  sign,
  sub,
  toNumber,
  value,
} from './quantity';
import type { QuantityFormat } from './quantity';

const q = parseQuantity;
const NANO = 1_000_000_000n;
// Powers as bigints; `**` is avoided because the jest transform rewrites it as Math.pow.
const p10 = (n: number): bigint => BigInt(`1${'0'.repeat(n)}`);
const p2 = (n: number): bigint => 1n << BigInt(n);

describe('parseQuantity: exact values', () => {
  // input, value in nano-units
  const cases: [string, bigint][] = [
    ['0', 0n],
    ['1', NANO],
    ['+1', NANO],
    ['-1', -NANO],
    ['500m', 500_000_000n],
    ['1.5', 1_500_000_000n],
    ['.5', 500_000_000n],
    ['1.', NANO],
    ['0.1', 100_000_000n],
    ['1n', 1n],
    ['1u', 1000n],
    ['1m', 1_000_000n],
    ['1k', 1000n * NANO],
    ['1M', p10(6) * NANO],
    ['1G', p10(9) * NANO],
    ['1T', p10(12) * NANO],
    ['1P', p10(15) * NANO],
    ['1E', p10(18) * NANO],
    ['1Ki', 1024n * NANO],
    ['128Mi', 128n * p2(20) * NANO],
    ['1Gi', p2(30) * NANO],
    ['1Ti', p2(40) * NANO],
    ['1Pi', p2(50) * NANO],
    ['1Ei', p2(60) * NANO],
    ['8Ei', p2(63) * NANO],
    ['0.1Ki', 102_400_000_000n],
    ['0.5Gi', p2(29) * NANO],
    ['2e3', 2000n * NANO],
    ['1E-3', 1_000_000n],
    ['1e+3', 1000n * NANO],
    ['1.5e3', 1500n * NANO],
    ['1200e-2', 12n * NANO],
    ['1e-9', 1n],
    ['12345678901234567890123', 12345678901234567890123n * NANO],
    ['007', 7n * NANO],
    ['-0', 0n],
    ['0.000', 0n],
  ];
  it.each(cases)('%s = %p nano-units', (input, nanos) => {
    expect(q(input).nanos).toBe(nanos);
  });

  // Upstream rounds every value up, away from zero, to a whole nano-unit.
  const rounded: [string, bigint][] = [
    ['0.1n', 1n],
    ['1.234n', 2n],
    ['1.5n', 2n],
    ['-1.5n', -2n],
    ['-0.1n', -1n],
    ['1e-10', 1n],
    ['1e-100000', 1n],
    ['1.55555555555', 1_555_555_556n],
    ['1.23456789e-3', 1_234_568n],
    ['0.0000000001Ki', 103n],
    ['0.000000000001Ki', 2n],
  ];
  it.each(rounded)('%s rounds up to %p nano-units', (input, nanos) => {
    expect(q(input).nanos).toBe(nanos);
  });

  it('records the format the string was written in', () => {
    const formats: [string, QuantityFormat][] = [
      ['1', 'DecimalSI'],
      ['1k', 'DecimalSI'],
      ['5m', 'DecimalSI'],
      ['1Ki', 'BinarySI'],
      ['0.5Ki', 'BinarySI'],
      ['1e3', 'DecimalExponent'],
      ['1E3', 'DecimalExponent'],
      ['1E', 'DecimalSI'], // E alone is exa, not an exponent
      // A binary quantity below 1 has no binary suffix to print with, so it becomes decimal.
      ['0.0001Ki', 'DecimalSI'],
    ];
    for (const [input, fmt] of formats) expect([input, q(input).format]).toEqual([input, fmt]);
  });
});

describe('parseQuantity: bad input', () => {
  const formatErrors = ['', ' 1', '1 ', '1.2.3', '5x', 'Mi', '.', '-', '+', 'e3', 'E', '1KiB', '1e3Mi', '1e3.5', '1,5', 'one', '0x10', '1_000', '1KI'];
  it.each(formatErrors)('%p is not shaped like a quantity', (input) => {
    expect(() => q(input)).toThrow(QuantityParseError);
    try {
      q(input);
    } catch (err: unknown) {
      expect(err).toBeInstanceOf(QuantityParseError);
      const e = err as QuantityParseError;
      expect(e.input).toBe(input);
      expect(e.detail).toBe(QUANTITY_FORMAT_ERROR);
      expect(e.message).toContain(JSON.stringify(input));
      expect(e.name).toBe('QuantityParseError');
    }
  });

  const suffixErrors = ['--1', '1K', '1i', '1e', '1Mie3', '1mm', '1kk', '1-', '1E+', '1ki'];
  it.each(suffixErrors)('%p has an unknown suffix', (input) => {
    let caught: unknown;
    try {
      q(input);
    } catch (err: unknown) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QuantityParseError);
    expect((caught as QuantityParseError).detail).toBe(QUANTITY_SUFFIX_ERROR);
  });

  it('rejects exponents too large to hold exactly', () => {
    expect(q(`1e${MAX_EXPONENT}`).nanos).toBe(p10(MAX_EXPONENT + 9));
    expect(() => q(`1e${MAX_EXPONENT + 1}`)).toThrow(/exponent must be between/);
    expect(() => q('1e-99999999999')).toThrow(QuantityParseError);
  });

  it('isValidQuantity agrees with parseQuantity', () => {
    for (const good of ['1', '500m', '1.5Gi', '2e3', '+1', '0']) expect([good, isValidQuantity(good)]).toEqual([good, true]);
    for (const bad of ['', '1.2.3', '5x', 'Mi', '--1', '1K']) expect([bad, isValidQuantity(bad)]).toEqual([bad, false]);
  });
});

describe('format: the string Kubernetes prints', () => {
  const cases: [string, string][] = [
    // decimal: factors of ten move into the largest suffix that keeps an integer
    ['1.5', '1500m'],
    ['1000m', '1'],
    ['0.1', '100m'],
    ['100m', '100m'],
    ['1.0', '1'],
    ['1.50', '1500m'],
    ['0.001', '1m'],
    ['.5', '500m'],
    ['-0.5', '-500m'],
    ['1.5m', '1500u'],
    ['0.5m', '500u'],
    ['1.234n', '2n'],
    ['1', '1'],
    ['10', '10'],
    ['1000', '1k'],
    ['10000', '10k'],
    ['1536', '1536'],
    ['12345', '12345'],
    ['1000000', '1M'],
    ['1000k', '1M'],
    ['100M', '100M'],
    ['1.55555555555', '1555555556n'],
    ['-1.0000000001', '-1000000001n'],
    ['9223372036854775808', '9223372036854775808'],
    // binary: whole multiples of 1024 keep a binary suffix
    ['1Ki', '1Ki'],
    ['0.5Gi', '512Mi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1024Pi', '1Ei'],
    ['0.5Ei', '512Pi'],
    ['1.5Ei', '1536Pi'],
    ['1000000000000Ki', '976562500Mi'],
    ['-1Ki', '-1Ki'],
    ['8Ki', '8Ki'],
    // binary below 1024 or with a fraction prints in decimal
    ['1.5Ki', '1536'],
    ['0.75Ki', '768'],
    ['-0.5Ki', '-512'],
    ['0.1Ki', '102400m'],
    ['0.0001Ki', '102400u'],
    ['1.0005Ki', '1024512m'],
    // exponent form keeps an exponent that is a multiple of 3
    ['2e3', '2e3'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['12e2', '1200'],
    ['1200e-2', '12'],
    ['1000e-3', '1'],
    ['1e-1', '100e-3'],
    ['1e-10', '1e-9'],
    ['1.23456789e-3', '1234568e-9'],
    ['1e19', '10e18'],
    ['0.5e1', '5'],
    // zero is always "0"
    ['0', '0'],
    ['00', '0'],
    ['-0', '0'],
    ['0.0', '0'],
    ['0Ki', '0'],
    ['0e3', '0'],
  ];
  it.each(cases)('%s prints as %s', (input, expected) => {
    expect(format(q(input))).toBe(expected);
    expect(String(q(input))).toBe(expected);
    expect(JSON.stringify({ cpu: q(input) })).toBe(JSON.stringify({ cpu: expected }));
  });

  // Upstream prints a string back unchanged when its fast path judges it canonical already.
  const keptAsWritten = ['+1', '007', '1.500', '1.', '1E-3', '1E+3', '1e+03', '1.G', '+1Ki', '1025Ki', '100e-3', '-1e-3', '1e21'];
  it.each(keptAsWritten)('%s prints as written, as upstream does', (input) => {
    expect(format(q(input))).toBe(input);
  });

  it('prints the result of arithmetic canonically, never the parsed text', () => {
    expect(format(add(q('+1'), q('0')))).toBe('1');
    expect(format(neg(q('1.500')))).toBe('-1500m');
  });

  it('prints decimal values past the E suffix with E (upstream drops the excess)', () => {
    expect(format(q('1000E'))).toBe('1000E');
    expect(format(q('1000000P'))).toBe('1000E');
    expect(format(q('-1000E'))).toBe('-1000E');
  });

  it('keeps huge binary values exact (upstream caps BinarySI at 2^63-1)', () => {
    expect(format(q('8Ei'))).toBe('8Ei');
    expect(format(q('1024Ei'))).toBe('1024Ei');
    expect(value(q('8Ei'))).toBe(p2(63));
  });

  it('round-trips every printed string to the same value and format', () => {
    for (const [input] of cases) {
      const a = q(input);
      const b = q(format(a));
      expect([input, compare(a, b), format(b)]).toEqual([input, 0, format(a)]);
    }
  });
});

describe('compare', () => {
  const cases: [string, string, -1 | 0 | 1][] = [
    ['1Gi', '1G', 1],
    ['1G', '1Gi', -1],
    ['1000m', '1', 0],
    ['0.1', '100m', 0],
    ['1e3', '1k', 0],
    ['1Ki', '1024', 0],
    ['1n', '0', 1],
    ['-1n', '0', -1],
    ['1n', '2n', -1],
    ['0.5Gi', '512Mi', 0],
    ['8Ei', '9223372036854775808', 0],
    ['8Ei', '9223372036854775807', 1],
    ['1E', '1Ei', -1],
    ['999999999999999999999999', '1000000000000000000000000', -1],
    ['1.0000000001', '1.000000001', 0], // both round up to the same nano-unit
  ];
  it.each(cases)('compare(%s, %s) = %p', (a, b, expected) => {
    expect(compare(q(a), q(b))).toBe(expected);
  });
});

describe('arithmetic', () => {
  it('adds and subtracts exactly, printing in the first operand’s format', () => {
    expect(format(add(q('1Ki'), q('1Ki')))).toBe('2Ki');
    expect(format(add(q('1Ki'), q('1')))).toBe('1025');
    expect(add(q('1Ki'), q('1')).format).toBe('BinarySI');
    expect(add(q('1'), q('1Ki')).format).toBe('DecimalSI');
    expect(format(add(q('0.5'), q('500m')))).toBe('1');
    expect(format(add(q('1e3'), q('1k')))).toBe('2e3');
    expect(format(sub(q('1Gi'), q('512Mi')))).toBe('512Mi');
    expect(format(add(q('1.5Gi'), q('100m')))).toBe('1610612736100m');
    expect(format(add(q('100m'), q('1Ki')))).toBe('1024100m');
    expect(format(add(q('0.1'), q('0.2')))).toBe('300m'); // no 0.30000000000000004
  });

  it('takes the second operand’s format when the first is zero', () => {
    expect(format(add(q('0'), q('1Ki')))).toBe('1Ki');
    expect(format(add(q('0'), q('1e3')))).toBe('1e3');
    expect(format(sub(q('0'), q('1Ki')))).toBe('-1Ki');
  });

  it('does not change its operands', () => {
    const a = q('1');
    const b = q('2');
    add(a, b);
    sub(a, b);
    neg(a);
    expect(format(a)).toBe('1');
    expect(format(b)).toBe('2');
  });

  it('sums many small values without drift', () => {
    let total = q('0');
    for (let i = 0; i < 1000; i++) total = add(total, q('1n'));
    expect(compare(total, q('1u'))).toBe(0);
    expect(format(total)).toBe('1u');
  });

  it('reports zero and sign', () => {
    expect(isZero(q('0'))).toBe(true);
    expect(isZero(q('0.0Mi'))).toBe(true);
    expect(isZero(sub(q('1'), q('1000m')))).toBe(true);
    expect(isZero(q('1n'))).toBe(false);
    expect(sign(q('-1n'))).toBe(-1);
    expect(sign(q('0'))).toBe(0);
    expect(sign(q('1Ei'))).toBe(1);
    expect(sign(neg(q('5')))).toBe(-1);
  });
});

describe('value and milliValue', () => {
  // input, value(), milliValue()
  const cases: [string, bigint, bigint][] = [
    ['1.5', 2n, 1500n],
    ['1', 1n, 1000n],
    ['500m', 1n, 500n],
    ['1m', 1n, 1n],
    ['1n', 1n, 1n],
    ['1.5m', 1n, 2n],
    ['0', 0n, 0n],
    ['1Ki', 1024n, 1_024_000n],
    ['0.1Ki', 103n, 102_400n],
    ['1.0005Ki', 1025n, 1_024_512n],
    ['128Mi', 134_217_728n, 134_217_728_000n],
    // negative values round away from zero too
    ['-1.5', -2n, -1500n],
    ['-1n', -1n, -1n],
    // no int64 overflow: upstream's MilliValue() of 1Ei wraps to a negative number
    ['1Ei', p2(60), p2(60) * 1000n],
    ['1e21', p10(21), p10(24)],
  ];
  it.each(cases)('%s: value %p, milliValue %p', (input, v, m) => {
    expect(value(q(input))).toBe(v);
    expect(milliValue(q(input))).toBe(m);
  });
});

describe('toNumber', () => {
  it('approximates the value for display and scoring', () => {
    expect(toNumber(q('1.5'))).toBe(1.5);
    expect(toNumber(q('500m'))).toBe(0.5);
    expect(toNumber(q('128Mi'))).toBe(134217728);
    expect(toNumber(q('-250m'))).toBe(-0.25);
    expect(toNumber(q('1n'))).toBeCloseTo(1e-9, 20);
    expect(toNumber(q('1Ei'))).toBe(Math.pow(2, 60));
  });
});

describe('method forms', () => {
  it('match the functions', () => {
    const a = q('1.5Gi');
    const b = q('512Mi');
    expect(a.compare(b)).toBe(1);
    expect(format(a.add(b))).toBe('2Gi');
    expect(format(a.sub(b))).toBe('1Gi');
    expect(format(b.neg())).toBe('-512Mi');
    expect(q('-1').sign()).toBe(-1);
    expect(q('0m').isZero()).toBe(true);
    expect(q('1.5').value()).toBe(2n);
    expect(q('1.5').milliValue()).toBe(1500n);
    expect(q('250m').toNumber()).toBe(0.25);
    expect(String(a)).toBe('1536Mi');
  });
});

describe('newQuantity and newMilliQuantity', () => {
  it('build quantities from integers', () => {
    expect(format(newQuantity(1024, 'BinarySI'))).toBe('1Ki');
    expect(format(newQuantity(1536, 'BinarySI'))).toBe('1536');
    expect(format(newQuantity(2000))).toBe('2k');
    expect(format(newQuantity(2000, 'DecimalExponent'))).toBe('2e3');
    expect(format(newQuantity(p2(70), 'BinarySI'))).toBe('1024Ei');
    expect(format(newMilliQuantity(500))).toBe('500m');
    expect(format(newMilliQuantity(1500))).toBe('1500m');
    expect(format(newMilliQuantity(2000))).toBe('2');
    expect(compare(newMilliQuantity(250), q('0.25'))).toBe(0);
    expect(newQuantity(3)).toBeInstanceOf(Quantity);
  });

  it('refuse numbers that are not safe integers', () => {
    expect(() => newQuantity(1.5)).toThrow(RangeError);
    expect(() => newMilliQuantity(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => newQuantity(Number.NaN)).toThrow(RangeError);
  });

  it('the constructor takes nano-units', () => {
    expect(format(new Quantity(1n))).toBe('1n');
    expect(format(new Quantity(1024n * NANO, 'BinarySI'))).toBe('1Ki');
  });
});
