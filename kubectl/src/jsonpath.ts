// kubectl's JSONPath templates (`-o jsonpath=…`, custom-columns): the template syntax here, each expression evaluated by jsonpath-plus.
//
//   {.items[*].metadata.name}                       every match, separated by spaces
//   {range .items[*]}{.metadata.name}{"\n"}{end}    the body once per match, `.` relative to it
//   text{.a}text, {"\t"}, {'x'}                     literal text and quoted strings (\n, \t, \\ …)
//   {.metadata.labels.app\.kubernetes\.io/name}     `\.` is a dot inside a key
//   {.a['b.c']} {.a[0]} {.a[-1:]} {.a[0,2]} {..name} {.items[?(@.kind=="Pod")]}   brackets, slices, unions, recursive descent, filters
//
// Strings print as they are, other scalars as text, objects and lists as JSON. A missing field
// prints nothing (kubectl's --allow-missing-template-keys=true).
import { JSONPath } from 'jsonpath-plus';
import { scalarText } from './objects';

/** The template cannot be parsed. */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

type Node =
  | { type: 'text'; text: string }
  | { type: 'expr'; root: boolean; segments: string[] }
  | { type: 'range'; root: boolean; segments: string[]; body: Node[] };

/** A parsed template: `execute` it against any number of objects. */
export class JsonPathTemplate {
  private readonly nodes: Node[];

  constructor(readonly source: string) {
    this.nodes = parseTemplate(source);
  }

  execute(data: unknown): string {
    return run(this.nodes, data, data);
  }

  /** Every value each top-level expression selects, for custom-columns. */
  values(data: unknown): unknown[] {
    const out: unknown[] = [];
    for (const n of this.nodes) if (n.type === 'expr') out.push(...evaluate(n, data, data));
    return out;
  }
}

function run(nodes: readonly Node[], root: unknown, current: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.type === 'text') out += n.text;
    else if (n.type === 'expr') out += evaluate(n, root, current).map(printValue).join(' ');
    else for (const item of evaluate(n, root, current)) out += run(n.body, root, item);
  }
  return out;
}

function evaluate(n: { root: boolean; segments: string[] }, root: unknown, current: unknown): unknown[] {
  let values = [n.root ? root : current];
  let path: string[] = [];
  const walk = (): void => {
    if (path.length > 0) values = values.flatMap((v) => select(v, `$${path.join('')}`));
    path = [];
  };
  for (const seg of n.segments) {
    if (!seg.startsWith('[?(')) {
      path.push(seg);
      continue;
    }
    walk();
    // Filters are ours, so a field the element lacks makes it not match (jsonpath-plus would throw).
    const filter = parseFilter(seg.slice(3, -2));
    values = values.flatMap((v) => children(v).filter((child) => filter(child)));
  }
  walk();
  return values;
}

function select(json: unknown, path: string): unknown[] {
  if (json === null || typeof json !== 'object') return [];
  const result: unknown = JSONPath({ path, json, wrap: true });
  return Array.isArray(result) ? result : [];
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object') return Object.values(v);
  return [];
}

/** `@.status.phase=="Running"`, `@.price<10`, `@.isbn` (present) → a predicate; as in kubectl, an element without the field never matches. */
function parseFilter(expr: string): (v: unknown) => boolean {
  const m = /^@((?:\.[^.=!<>\s]+|\[[^\]]*\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$/.exec(expr.trim());
  if (m === null) throw new JsonPathError(`unrecognized filter ${JSON.stringify(expr)}`);
  const fieldPath = parseExpression(`@${m[1] ?? ''}`, expr).segments;
  const op = m[2];
  const literal = m[3] === undefined ? undefined : parseLiteral(m[3].trim(), expr);
  return (v) => {
    const found = fieldPath.length === 0 ? [v] : select(v, `$${fieldPath.join('')}`);
    if (op === undefined) return found.length > 0;
    return found.some((x) => compare(x, op, literal));
  };
}

function parseLiteral(text: string, expr: string): string | number | boolean | null {
  if ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'"))) return text.slice(1, -1);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  throw new JsonPathError(`unrecognized value ${text} in filter ${JSON.stringify(expr)}`);
}

function compare(x: unknown, op: string, lit: string | number | boolean | null | undefined): boolean {
  if (op === '==') return x === lit;
  if (op === '!=') return x !== lit;
  const ordered = (a: number | string, b: number | string): boolean => (op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b);
  if (typeof x === 'number' && typeof lit === 'number') return ordered(x, lit);
  if (typeof x === 'string' && typeof lit === 'string') return ordered(x, lit);
  return false;
}

function printValue(v: unknown): string {
  return scalarText(v);
}

// ---- parsing

function parseTemplate(source: string): Node[] {
  const stack: { nodes: Node[]; range?: Extract<Node, { type: 'range' }> }[] = [{ nodes: [] }];
  const top = (): Node[] => stack[stack.length - 1]?.nodes ?? [];
  let i = 0;
  let text = '';
  const flushText = (): void => {
    if (text !== '') top().push({ type: 'text', text });
    text = '';
  };
  while (i < source.length) {
    const c = source[i] ?? '';
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    flushText();
    const end = findClose(source, i);
    const inner = source.slice(i + 1, end).trim();
    i = end + 1;
    if (inner.startsWith('"') || inner.startsWith("'")) {
      top().push({ type: 'text', text: unquote(inner, source) });
    } else if (inner === 'end') {
      const frame = stack.pop();
      if (frame?.range === undefined || stack.length === 0) throw new JsonPathError(`not in range, nothing to end in template ${source}`);
      top().push(frame.range);
    } else if (/^range\s/.test(inner)) {
      const { root, segments } = parseExpression(inner.slice(5).trim(), source);
      const range: Extract<Node, { type: 'range' }> = { type: 'range', root, segments, body: [] };
      stack.push({ nodes: range.body, range });
    } else {
      top().push({ type: 'expr', ...parseExpression(inner, source) });
    }
  }
  flushText();
  if (stack.length !== 1) throw new JsonPathError(`unclosed range in template ${source}`);
  return stack[0]?.nodes ?? [];
}

/** The index of the `}` closing the `{` at `open`, skipping quoted strings and brackets. */
function findClose(s: string, open: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === '}' && depth <= 0) return i;
  }
  throw new JsonPathError(`unclosed action in template ${s}`);
}

function unquote(q: string, source: string): string {
  const quote = q[0];
  if (q.length < 2 || q[q.length - 1] !== quote) throw new JsonPathError(`unterminated quoted string in template ${source}`);
  const body = q.slice(1, -1);
  return body.replace(/\\(.)/g, (_m, ch: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" })[ch] ?? `\\${ch}`);
}

/**
 * `.a.b[0]['c.d']` → jsonpath-plus path fragments (`.a`, `['c.d']`, `[0]`, `..`, `[?(…)]`); `$` or
 * `@` may lead. Names are bracketed and quoted unless they are plain words, so dots and slashes
 * in label keys stay part of the name.
 */
function parseExpression(expr: string, source: string): { root: boolean; segments: string[] } {
  let s = expr;
  let root = false;
  if (s.startsWith('$')) {
    root = true;
    s = s.slice(1);
  } else if (s.startsWith('@')) {
    s = s.slice(1);
  }
  const segments: string[] = [];
  let i = 0;
  const bad = (why: string): JsonPathError => new JsonPathError(`${why} in template ${source}`);
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      const recursive = s[i + 1] === '.';
      i += recursive ? 2 : 1;
      let name = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && i + 1 < s.length) {
          name += s[i + 1];
          i += 2;
        } else {
          name += s[i];
          i++;
        }
      }
      if (name !== '') segments.push(`${recursive ? '..' : ''}${nameFragment(name)}`);
      else if (recursive) segments.push('..*');
    } else if (c === '[') {
      const end = findBracketEnd(s, i);
      if (end < 0) throw bad(`unterminated array`);
      segments.push(bracketSegment(s.slice(i + 1, end).trim(), bad));
      i = end + 1;
    } else if (i === 0 && /[A-Za-z_]/.test(c ?? '')) {
      // `metadata.name` without the leading dot, as custom-columns allows.
      s = `.${s}`;
    } else {
      throw bad(`unrecognized character ${JSON.stringify(c)} in ${JSON.stringify(expr)}`);
    }
  }
  return { root, segments };
}

function findBracketEnd(s: string, open: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  return -1;
}

function nameFragment(name: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(name)) return `.${name}`;
  if (name.includes("'")) throw new JsonPathError(`field names with quotes are not supported: ${JSON.stringify(name)}`);
  return `['${name}']`;
}

function bracketSegment(inner: string, bad: (why: string) => JsonPathError): string {
  if (inner === '*') return '[*]';
  if (inner.startsWith('?(')) return `[${inner}]`;
  if (/^-?\d*:-?\d*(:\d*)?$/.test(inner) || /^-?\d+$/.test(inner)) return `[${inner}]`;
  const parts = splitUnion(inner);
  if (parts.every((p) => /^-?\d+$/.test(p))) return `[${parts.join(',')}]`;
  const names = parts.map((p) => {
    if ((p.startsWith("'") && p.endsWith("'")) || (p.startsWith('"') && p.endsWith('"'))) return p.slice(1, -1);
    throw bad(`invalid array index ${JSON.stringify(inner)}`);
  });
  if (names.length === 1) return nameFragment(names[0] ?? '');
  // jsonpath-plus unions take bare names.
  if (names.some((n) => !/^[A-Za-z0-9_-]+$/.test(n))) throw bad(`unions of names with special characters are not supported: ${JSON.stringify(inner)}`);
  return `[${names.join(',')}]`;
}

function splitUnion(inner: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let cur = '';
  for (const c of inner) {
    if (quote !== undefined) {
      cur += c;
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === ',') {
      parts.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur.trim());
  return parts;
}
