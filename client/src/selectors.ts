// Label and field selectors as the client accepts them: text, parsed selectors, or key/value sets.
import { fieldSelectorFromSet, parseSelector, selectorFromSet, type FieldSelector, type Selector } from '@keelson/api';

/** A label selector: its text, a parsed Selector, or a set of `key: value` that must all match. */
export type LabelSelectorInput = string | Selector | Readonly<Record<string, string>>;
/** A field selector: its text, a parsed FieldSelector, or a set of `field: value` that must all match. */
export type FieldSelectorInput = string | FieldSelector | Readonly<Record<string, string>>;

function isParsed(s: object): s is Selector | FieldSelector {
  return 'requirements' in s && typeof (s as { matches?: unknown }).matches === 'function';
}

/** The selector as the `labelSelector` query parameter ('' selects everything). */
export function labelSelectorString(s: LabelSelectorInput): string {
  if (typeof s === 'string') return s;
  if (isParsed(s)) return s.toString();
  return selectorFromSet(s).toString();
}

/** The selector as the `fieldSelector` query parameter ('' selects everything). */
export function fieldSelectorString(s: FieldSelectorInput): string {
  if (typeof s === 'string') return s;
  if (isParsed(s)) return s.toString();
  return fieldSelectorFromSet(s).toString();
}

/** A parsed label selector, or undefined for one that selects everything. Throws SelectorParseError. */
export function toLabelSelector(s: LabelSelectorInput | undefined): Selector | undefined {
  if (s === undefined) return undefined;
  if (typeof s !== 'string' && isParsed(s)) return s;
  const text = labelSelectorString(s);
  return text === '' ? undefined : parseSelector(text);
}
