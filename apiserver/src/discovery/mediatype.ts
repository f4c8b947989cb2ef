// Accept-header negotiation as the Kubernetes API server does it: media ranges, q-values, and the `as`/`g`/`v` conversion parameters.

/** One media range of an Accept header: `application/json;as=Table;v=v1;g=meta.k8s.io;q=0.9`. */
export interface MediaRange {
  /** Lower-cased type (`application`, or `*`). */
  type: string;
  /** Lower-cased subtype (`json`, or `*`). */
  subtype: string;
  /** Parameters other than `q`, keys lower-cased, values as sent (unquoted). */
  params: Readonly<Record<string, string>>;
  /** The quality, 0..1; 1 when absent. */
  q: number;
}

/** The group, version and kind a client asked the response to be converted to (`as`, `g`, `v`). */
export interface ConvertTarget {
  group: string;
  version: string;
  kind: string;
}

/** The outcome of negotiation: the media type the server will write and any requested conversion. */
export interface Negotiated {
  /** `type/subtype` of the supported media type chosen. */
  mediaType: string;
  /** The conversion requested by the chosen range, if it carried `as`, `g` or `v`. */
  convert?: ConvertTarget;
  /** Parameters of the chosen range, for callers that look at others (`pretty`, `stream`, `profile`). */
  params: Readonly<Record<string, string>>;
}

/** Splits on `sep` outside double quotes. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if (ch === '"' && s[i - 1] !== '\\') quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

/** How specific a range is: exact type/subtype beats `type/*`, which beats `*\/*`. */
function specificity(r: MediaRange): number {
  return r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2;
}

/**
 * Parses an Accept header into media ranges, best first: by q-value, then by specificity, and
 * otherwise in the order sent (as goautoneg.ParseAccept does). Ranges with q=0 ("not
 * acceptable") and unparseable ranges are dropped. A bare `*` is read as `*\/*`.
 */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of splitOutsideQuotes(header, ',')) {
    const [rawType = '', ...rawParams] = splitOutsideQuotes(part, ';');
    const mime = rawType.trim().toLowerCase();
    if (mime === '') continue;
    const slash = mime.indexOf('/');
    const type = slash < 0 ? mime : mime.slice(0, slash);
    const subtype = slash < 0 ? (mime === '*' ? '*' : '') : mime.slice(slash + 1);
    if (type === '' || subtype === '') continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = unquote(p.slice(eq + 1).trim());
      if (key === '') continue;
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      } else {
        params[key] = value;
      }
    }
    if (q <= 0) continue;
    ranges.push({ type, subtype, params, q });
  }
  // Array.prototype.sort is stable, so equal ranges keep the client's order.
  return ranges.sort((a, b) => b.q - a.q || specificity(b) - specificity(a));
}

/** The `as`/`g`/`v` parameters of a range, if any is present. */
export function convertTarget(params: Readonly<Record<string, string>>): ConvertTarget | undefined {
  const { as: kind, g: group, v: version } = params;
  if (kind === undefined && group === undefined && version === undefined) return undefined;
  return { group: group ?? '', version: version ?? '', kind: kind ?? '' };
}

/**
 * Chooses the response media type for an Accept header (negotiation.NegotiateMediaTypeOptions):
 * ranges are tried best first against `supported` (`type/subtype`, most preferred first); a
 * range that asks for a conversion is acceptable only if `allowsConversion` says so. An empty
 * header means the first supported type. Undefined means nothing acceptable (a 406).
 */
export function negotiateMediaType(
  accept: string,
  supported: readonly string[],
  allowsConversion: (target: ConvertTarget) => boolean,
): Negotiated | undefined {
  if (accept.trim() === '') {
    const first = supported[0];
    return first === undefined ? undefined : { mediaType: first, params: {} };
  }
  for (const range of parseAccept(accept)) {
    for (const mediaType of supported) {
      const [type, subtype] = mediaType.split('/');
      const matches =
        (range.type === type && (range.subtype === subtype || range.subtype === '*')) || (range.type === '*' && range.subtype === '*');
      if (!matches) continue;
      const convert = convertTarget(range.params);
      if (convert !== undefined && !allowsConversion(convert)) continue;
      return convert === undefined ? { mediaType, params: range.params } : { mediaType, convert, params: range.params };
    }
  }
  return undefined;
}
