// Parsing flag values the way kubectl's pflag does, with its error wording.
import { CliError } from '../errors';
import { parseDuration } from '../context';

/** An integer flag value (`--replicas=3`), or kubectl's "invalid argument" error. */
export function intFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(value.trim())) throw new CliError(`invalid argument "${value}" for "--${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  return Number(value.trim());
}

/** A boolean flag value given as `--flag=true|false`. */
export function boolFlag(value: string | boolean | undefined, flag: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (['true', 't', '1'].includes(v)) return true;
  if (['false', 'f', '0'].includes(v)) return false;
  throw new CliError(`invalid argument "${value}" for "--${flag}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

/** A duration flag (`30s`, `1m`, `0`) in milliseconds; negative durations (`-1s`) are allowed. */
export function durationFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const negative = value.startsWith('-');
  try {
    const ms = parseDuration(negative ? value.slice(1) : value);
    return negative ? -ms : ms;
  } catch {
    throw new CliError(`invalid argument "${value}" for "--${flag}" flag: time: invalid duration "${value}"`);
  }
}

/** Collects a repeatable flag (`--for a --for b`) into a list, for commander. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
