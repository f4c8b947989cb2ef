// Kubernetes resource quantities (`500m`, `128Mi`, `2e3`): exact parsing, arithmetic and canonical printing.
//
// Semantics follow k8s.io/apimachinery/pkg/api/resource. A quantity is held as a whole
// number of nano-units in a bigint: upstream rounds every parsed value up (away from zero)
// to a multiple of 10^-9, so nano-units represent every quantity exactly, and no floating
// point is used except in toNumber().
//
// Where this module knowingly differs from upstream (each one is an upstream quirk):
// - inputs without a digit ('Mi', '.', '-', 'e3') are rejected; upstream reads them as 0;
// - BinarySI values are not capped at 2^63-1 (upstream turns '8Ei' into 9223372036854775807);
// - value()/milliValue() are exact bigints rounded away from zero, where upstream's int64
//   overflows and, for some negative values, rounds towards zero;
// - DecimalSI values past the 'E' suffix print as e.g. '1000E' (upstream prints a bare '1');
// - a decimal exponent above MAX_EXPONENT or outside 32 bits is rejected (upstream wraps it).

/** How a quantity prints: with SI suffixes (`1k`), binary suffixes (`1Ki`) or an exponent (`1e3`). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** Upstream's message for a string that is not shaped like a quantity. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** Upstream's message for a quantity-shaped string with an unknown suffix (`1K`, `1e`). */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
/** Largest decimal exponent accepted (`1e1000`); larger values would need absurdly large integers. */
export const MAX_EXPONENT = 1000;
/** Smallest decimal exponent accepted, upstream's 32-bit limit. */
export const MIN_EXPONENT = -2147483648;

/** Thrown by parseQuantity; `input` is the offending string, `detail` the reason alone. */
export class QuantityParseError extends Error {
  readonly input: string;
  readonly detail: string;
  constructor(input: string, detail: string) {
    super(`unable to parse quantity ${JSON.stringify(input)}: ${detail}`);
    this.name = 'QuantityParseError';
    this.input = input;
    this.detail = detail;
  }
}

const NANOS_PER_UNIT = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;
const INT64_MAX = (1n << 63n) - 1n;

/** The string a parsed quantity was written as, kept when upstream would print it unchanged. */
const written = new WeakMap<Quantity, string>();

/** An exact resource quantity. Build one with parseQuantity, newQuantity or newMilliQuantity. */
export class Quantity {
  /** The value in units of 10^-9: `1.5` is 1_500_000_000n, `1n` is 1n. */
  readonly nanos: bigint;
  /** How the quantity prints; kept from the string it was parsed from. */
  readonly format: QuantityFormat;

  constructor(nanos: bigint, format: QuantityFormat = 'DecimalSI') {
    this.nanos = nanos;
    this.format = format;
  }

  // Method forms of the functions below, for call sites that read better as `q.sign()`.
  compare(other: Quantity): -1 | 0 | 1 {
    return compare(this, other);
  }
  add(other: Quantity): Quantity {
    return add(this, other);
  }
  sub(other: Quantity): Quantity {
    return sub(this, other);
  }
  neg(): Quantity {
    return neg(this);
  }
  isZero(): boolean {
    return isZero(this);
  }
  sign(): -1 | 0 | 1 {
    return sign(this);
  }
  value(): bigint {
    return value(this);
  }
  milliValue(): bigint {
    return milliValue(this);
  }
  toNumber(): number {
    return toNumber(this);
  }

  /** The canonical string, as format() gives it. */
  toString(): string {
    return format(this);
  }

  /** Quantities serialise as their canonical string, as they do in Kubernetes JSON. */
  toJSON(): string {
    return format(this);
  }
}

const decimalSuffixes: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const decimalSuffixByExponent: ReadonlyMap<number, string> = new Map(
  [...decimalSuffixes].map(([suffix, exp]) => [exp, suffix]),
);
const binarySuffixes: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

// Sign, whole digits, optional fraction, then a suffix of suffix letters, an optional sign
// and digits: the same split upstream's hand-written scanner makes.
const QUANTITY_SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)$/;
const EXPONENT_DIGITS = /^[+-]?[0-9]+$/;

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(input: string, suffix: string): Suffix {
  const dec = decimalSuffixes.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = binarySuffixes.get(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    if (!EXPONENT_DIGITS.test(digits)) throw new QuantityParseError(input, QUANTITY_SUFFIX_ERROR);
    const exponent = Number(digits);
    // Small values need no limit beyond upstream's 32 bits: they round up to 1n or 0.
    if (exponent > MAX_EXPONENT || exponent < MIN_EXPONENT) {
      throw new QuantityParseError(input, `exponent must be between ${MIN_EXPONENT} and ${MAX_EXPONENT}`);
    }
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new QuantityParseError(input, QUANTITY_SUFFIX_ERROR);
}

/** 10^n. (Not `10n ** x`: the jest transform targets ES5 and rewrites `**` as Math.pow.) */
function pow10(n: number): bigint {
  return BigInt(`1${'0'.repeat(n)}`);
}

/** n / d rounded away from zero (d > 0). */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (n % d === 0n) return q;
  return n > 0n ? q + 1n : q - 1n;
}

/** digits × 10^shift as a whole number, rounded up when shift is negative (digits are non-negative). */
function shiftDecimal(digits: string, shift: number): bigint {
  const n = BigInt(digits === '' ? '0' : digits);
  if (shift >= 0) return n * pow10(shift);
  if (n === 0n) return 0n;
  // Dividing by more powers of ten than there are digits leaves a non-zero fraction below 1.
  if (-shift > digits.length) return 1n;
  return divAwayFromZero(n, pow10(-shift));
}

/**
 * Upstream keeps the string as written when its int64 fast path sees it is already in a
 * canonical-looking form, and prints it back unchanged (so `+1` stays `+1`, `1.500` stays
 * `1.500`). These are the same conditions.
 */
function keepsWrittenForm(whole: string, frac: string, suffix: Suffix): boolean {
  const num = whole.replace(/^0+/, '') || '0';
  if (suffix.format === 'BinarySI') {
    if (frac !== '') return false;
    const precision = 15 - num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
    if (precision < 0) return false;
    const value = BigInt(num);
    if (value << BigInt(suffix.exponent) > INT64_MAX) return false;
    return suffix.exponent % 10 === 0 && (value & 7n) !== 0n;
  }
  if (18 - (num.length + frac.length) < 0) return false;
  const scale = suffix.exponent - frac.length;
  if (scale < -9) return false;
  const shifted = num + frac;
  return scale % 3 === 0 && !shifted.endsWith('000') && !shifted.startsWith('0');
}

/**
 * Parses a quantity: `500m`, `1.5`, `128Mi`, `1G`, `2e3`, `1E-3`, `+1`, `0.1Ki`. Values are
 * exact, rounded up to a whole nano-unit (`0.1n` is `1n`). Throws QuantityParseError.
 */
export function parseQuantity(s: string): Quantity {
  const m = QUANTITY_SHAPE.exec(s);
  if (m === null) throw new QuantityParseError(s, QUANTITY_FORMAT_ERROR);
  const negative = m[1] === '-';
  const whole = m[2] ?? '';
  const frac = m[3] ?? '';
  const suffixText = m[4] ?? '';
  const suffix = interpretSuffix(s, suffixText);
  if (whole === '' && frac === '') throw new QuantityParseError(s, QUANTITY_FORMAT_ERROR);

  const digits = whole + frac;
  let magnitude: bigint;
  if (suffix.base === 10) {
    magnitude = shiftDecimal(digits, suffix.exponent - frac.length + 9);
  } else {
    const scaled = BigInt(digits) << BigInt(suffix.exponent);
    magnitude = shiftDecimal(scaled.toString(), 9 - frac.length);
  }

  let fmt = suffix.format;
  // Upstream prints a binary quantity below one in decimal: there is no binary suffix for it.
  if (fmt === 'BinarySI' && magnitude > 0n && magnitude < NANOS_PER_UNIT) fmt = 'DecimalSI';

  const q = new Quantity(negative ? -magnitude : magnitude, fmt);
  if (magnitude !== 0n && keepsWrittenForm(whole, frac, suffix)) written.set(q, s);
  return q;
}

/** True when parseQuantity would accept s. */
export function isValidQuantity(s: string): boolean {
  try {
    parseQuantity(s);
    return true;
  } catch (err: unknown) {
    if (err instanceof QuantityParseError) return false;
    throw err;
  }
}

function toBigInt(v: bigint | number, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isSafeInteger(v)) throw new RangeError(`${what} must be a safe integer, got ${v}`);
  return BigInt(v);
}

/** A quantity of whole units, as resource.NewQuantity: `newQuantity(1024, 'BinarySI')` prints `1Ki`. */
export function newQuantity(value: bigint | number, fmt: QuantityFormat = 'DecimalSI'): Quantity {
  return new Quantity(toBigInt(value, 'value') * NANOS_PER_UNIT, fmt);
}

/** A quantity of thousandths, as resource.NewMilliQuantity: `newMilliQuantity(500)` prints `500m`. */
export function newMilliQuantity(milli: bigint | number, fmt: QuantityFormat = 'DecimalSI'): Quantity {
  return new Quantity(toBigInt(milli, 'milli value') * NANOS_PER_MILLI, fmt);
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. Exact: `1Gi` > `1G`, `1000m` == `1`. */
export function compare(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** a + b, printed in a's format (b's when a is zero), as Quantity.Add does. */
export function add(a: Quantity, b: Quantity): Quantity {
  return new Quantity(a.nanos + b.nanos, a.nanos === 0n ? b.format : a.format);
}

/** a - b, printed in a's format (b's when a is zero), as Quantity.Sub does. */
export function sub(a: Quantity, b: Quantity): Quantity {
  return new Quantity(a.nanos - b.nanos, a.nanos === 0n ? b.format : a.format);
}

/** -q, in q's format. */
export function neg(q: Quantity): Quantity {
  return new Quantity(-q.nanos, q.format);
}

export function isZero(q: Quantity): boolean {
  return q.nanos === 0n;
}

export function sign(q: Quantity): -1 | 0 | 1 {
  return q.nanos < 0n ? -1 : q.nanos > 0n ? 1 : 0;
}

/** The value in whole units, rounded away from zero (`1.5` → 2, `1m` → 1), as Value() does. */
export function value(q: Quantity): bigint {
  return divAwayFromZero(q.nanos, NANOS_PER_UNIT);
}

/** The value in thousandths, rounded away from zero (`1.5m` → 2), as MilliValue() does. */
export function milliValue(q: Quantity): bigint {
  return divAwayFromZero(q.nanos, NANOS_PER_MILLI);
}

/** The value as a JavaScript number: approximate, for display and scoring only. */
export function toNumber(q: Quantity): number {
  return Number(q.nanos) / 1e9;
}

/**
 * The string Kubernetes prints for q (Quantity.String()): `1.5` → `1500m`, `0.5Gi` →
 * `512Mi`, `1024Mi` → `1Gi`, `2e3` → `2e3`. A binary quantity that is below 1024 or not a
 * whole number prints in decimal (`0.1Ki` → `102400m`). A parsed string that upstream
 * deems canonical already is printed as written (`+1` → `+1`).
 */
export function format(q: Quantity): string {
  const kept = written.get(q);
  if (kept !== undefined) return kept;
  if (q.nanos === 0n) return '0';

  let fmt = q.format;
  if (fmt === 'BinarySI') {
    // A fraction has no binary form. (Upstream also prints |q| < 1024 in decimal; for a whole
    // number that is the same string as a binary one without a suffix.)
    if (q.nanos % NANOS_PER_UNIT !== 0n) {
      fmt = 'DecimalSI';
    } else {
      let mantissa = q.nanos / NANOS_PER_UNIT;
      let power = 0;
      while (power < binarySuffixByPower.length - 1 && mantissa % 1024n === 0n) {
        mantissa /= 1024n;
        power++;
      }
      return `${mantissa}${binarySuffixByPower[power] ?? ''}`;
    }
  }

  // Move every factor of ten into the exponent, then lower the exponent to a multiple of 3.
  let mantissa = q.nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (fmt === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  if (exponent > 18) {
    mantissa *= pow10(exponent - 18);
    exponent = 18;
  }
  return `${mantissa}${decimalSuffixByExponent.get(exponent) ?? ''}`;
}
