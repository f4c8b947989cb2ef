// Cell formatting shared by the printers: label maps, selectors, container lists, access modes, host:port.
import { QuantityParseError, SelectorParseError, formatQuantity, parseQuantity, selectorFromLabelSelector, type Container, type LabelSelector } from '@keelson/api';

/** labels.FormatLabels: `k=v` pairs sorted as strings and joined by ','; `<none>` when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const pairs = Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

/** The canonical selector string (LabelSelectorAsSelector(...).String()); throws SelectorParseError. */
function selectorText(ls: LabelSelector | undefined): string {
  return selectorFromLabelSelector(ls).toString();
}

/** metav1.FormatLabelSelector: `app=web,tier in (a,b)`; `<none>` if it selects nothing or everything; `<error>` if invalid. */
export function formatLabelSelector(ls: LabelSelector | undefined): string {
  try {
    const s = selectorText(ls);
    return s === '' ? '<none>' : s;
  } catch (err: unknown) {
    if (err instanceof SelectorParseError) return '<error>';
    throw err;
  }
}

/** A Deployment's SELECTOR cell: the selector string as is ('' when empty), `<invalid>` if it cannot be parsed. */
export function selectorString(ls: LabelSelector | undefined): string {
  try {
    return selectorText(ls);
  } catch (err: unknown) {
    if (err instanceof SelectorParseError) return '<invalid>';
    throw err;
  }
}

/** layoutContainerCells: container names and images, each joined by ','. */
export function containerCells(containers: readonly Container[] | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return { names: list.map((c) => c.name).join(','), images: list.map((c) => c.image ?? '').join(',') };
}

const accessModeAbbreviations: readonly [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** GetAccessModesAsString: `RWO,ROX,RWX,RWOP` in that fixed order, duplicates and unknown modes dropped. */
export function accessModes(modes: readonly string[] | undefined): string {
  const present = new Set(modes ?? []);
  return accessModeAbbreviations
    .filter(([mode]) => present.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** net.JoinHostPort: IPv6 hosts are bracketed. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Quantity.String() of a stored quantity (`1024Mi` → `1Gi`); `0` when absent; the text as stored if it does not parse. */
export function quantityString(q: string | number | undefined): string {
  if (q === undefined) return '0';
  try {
    return formatQuantity(parseQuantity(String(q)));
  } catch (err: unknown) {
    // Validation rejects bad quantities on write; print whatever is stored rather than fail the whole table.
    if (err instanceof QuantityParseError) return String(q);
    throw err;
  }
}

/** `<n> + <m> more...` after the first three, as kubectl shortens long lists; `empty` when there is nothing. */
export function listWithMore(items: readonly string[], max: number, empty: string): string {
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.length === 0 ? empty : items.join(',');
}
