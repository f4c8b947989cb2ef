// Unit tests for kubectl-style JSONPath templates: the template syntax and the expressions kubectl users write.
import { JsonPathError, JsonPathTemplate } from './jsonpath';

const list = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web', 'app.kubernetes.io/name': 'frontend' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] },
    },
    {
      kind: 'Pod',
      metadata: { name: 'db-0', namespace: 'prod', labels: { app: 'db' } },
      spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
    },
  ],
};

function run(template: string, data: unknown = list): string {
  return new JsonPathTemplate(template).execute(data);
}

describe('JsonPathTemplate', () => {
  it('prints every match of a wildcard separated by spaces', () => {
    expect(run('{.items[*].metadata.name}')).toBe('web-1 db-0');
  });

  it('iterates with range … end, with quoted strings for separators', () => {
    expect(run('{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}')).toBe('web-1\tRunning\ndb-0\tPending\n');
    expect(run("{range .items[*]}[{.metadata.name}]{end}")).toBe('[web-1][db-0]');
  });

  it('nests ranges', () => {
    expect(run('{range .items[*]}{.metadata.name}:{range .spec.containers[*]} {.image}{end};{end}')).toBe('web-1: nginx:1.25 busybox;db-0: postgres:16;');
  });

  it('keeps literal text around expressions', () => {
    expect(run('first={.items[0].metadata.name}, last={.items[-1:].metadata.name}.')).toBe('first=web-1, last=db-0.');
  });

  it('indexes, slices and unions', () => {
    expect(run('{.items[1].metadata.name}')).toBe('db-0');
    expect(run('{.items[0].spec.containers[0:2].name}')).toBe('web log');
    expect(run("{.items[0].metadata['name','namespace']}")).toBe('web-1 default');
  });

  it('filters', () => {
    expect(run('{.items[?(@.status.phase=="Running")].metadata.name}')).toBe('web-1');
    expect(run('{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}')).toBe('True False ');
  });

  it('reads keys with dots by escaping them or in brackets', () => {
    expect(run('{.items[0].metadata.labels.app\\.kubernetes\\.io/name}')).toBe('frontend');
    expect(run("{.items[0].metadata.labels['app.kubernetes.io/name']}")).toBe('frontend');
  });

  it('descends recursively', () => {
    expect(run('{..image}')).toBe('nginx:1.25 busybox postgres:16');
  });

  it('prints objects and lists as JSON, numbers and booleans as text', () => {
    expect(run('{.items[1].metadata.labels}')).toBe('{"app":"db"}');
    expect(run('{.a}{.b}', { a: 3, b: true })).toBe('3true');
  });

  it('prints nothing for missing fields', () => {
    expect(run('{.items[0].spec.nodeName}')).toBe('');
    expect(run('{range .nothing[*]}x{end}')).toBe('');
  });

  it('accepts $ for the root and a leading-dotless path', () => {
    expect(run('{$.kind}')).toBe('List');
    expect(run('{kind}')).toBe('List');
    expect(run('{range .items[*]}{$.kind}/{.metadata.name} {end}')).toBe('List/web-1 List/db-0 ');
  });

  it('gives values one by one for custom columns', () => {
    expect(new JsonPathTemplate('{.spec.containers[*].image}').values(list.items[0])).toEqual(['nginx:1.25', 'busybox']);
  });

  it('rejects malformed templates', () => {
    expect(() => new JsonPathTemplate('{.a')).toThrow(JsonPathError);
    expect(() => new JsonPathTemplate('{end}')).toThrow('not in range');
    expect(() => new JsonPathTemplate('{range .items[*]}{.a}')).toThrow('unclosed range');
    expect(() => new JsonPathTemplate('{.items[}')).toThrow(JsonPathError);
  });
});

describe('JsonPathTemplate filters', () => {
  const data = { items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' }, status: { phase: 'Running', restarts: 3 } }, { metadata: { name: 'c' }, status: { phase: 'Pending', restarts: 0 } }] };

  it('does not match elements that lack the field', () => {
    expect(run('{.items[?(@.status.phase=="Running")].metadata.name}', data)).toBe('b');
    expect(run('{.items[?(@.status.phase!="Running")].metadata.name}', data)).toBe('c');
  });

  it('compares numbers and tests presence', () => {
    expect(run('{.items[?(@.status.restarts>0)].metadata.name}', data)).toBe('b');
    expect(run('{.items[?(@.status.restarts<=0)].metadata.name}', data)).toBe('c');
    expect(run('{.items[?(@.status)].metadata.name}', data)).toBe('b c');
    expect(run("{.items[?(@.metadata.name=='c')].status.phase}", data)).toBe('Pending');
  });
});
