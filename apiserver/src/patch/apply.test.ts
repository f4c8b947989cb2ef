// Tests for apply.ts and recordUpdate: server-side apply on Deployments with several field managers.
import { BadRequestError } from '@keelson/api';
import { serverSideApply } from './apply';
import { ApplyConflictError } from './errors';
import type { JsonObject } from './json';
import { recordUpdate, type ManagedFieldsEntry } from './managedfields';

type Obj = JsonObject;
const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T11:00:00Z';
const T2 = '2024-05-01T12:00:00Z';

/** What `kubectl apply --server-side` sends for a two-container Deployment. */
const config = (over: { replicas?: number; image?: string; env?: Obj[]; labels?: Obj; sidecar?: boolean } = {}): Obj => {
  const web: Obj = { name: 'web', image: over.image ?? 'nginx:1.25', ports: [{ containerPort: 80 }] };
  if (over.env) web.env = over.env;
  const cs: Obj[] = [web];
  if (over.sidecar !== false) cs.push({ name: 'log', image: 'busybox:1.36' });
  const spec: Obj = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: cs } },
  };
  if (over.replicas !== undefined) spec.replicas = over.replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: over.labels ?? { app: 'web' } }, spec };
};

const apply = (live: Obj | undefined, cfg: Obj, manager = 'kubectl', force = false, now = T1): Obj =>
  serverSideApply(live, cfg, { manager, force, now, kind: 'Deployment', apiVersion: 'apps/v1' }).object as Obj;

/** The object as the store keeps it: server-set metadata added. */
const stored = (o: Obj): Obj => ({ ...o, metadata: { ...(o.metadata as Obj), uid: 'uid-web', resourceVersion: '7', creationTimestamp: T0 } });

const entries = (o: Obj): ManagedFieldsEntry[] => ((o.metadata as Obj).managedFields ?? []) as unknown as ManagedFieldsEntry[];
const entry = (o: Obj, manager: string): ManagedFieldsEntry | undefined => entries(o).find((e) => e.manager === manager);
const spec = (o: Obj): Obj => o.spec as Obj;
const containers = (o: Obj): Obj[] => ((spec(o).template as Obj).spec as Obj).containers as Obj[];
const container = (o: Obj, name: string): Obj | undefined => containers(o).find((c) => c.name === name);

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof ApplyConflictError) return e;
    throw e;
  }
  throw new Error('expected an apply conflict');
}

describe('serverSideApply: create and ownership', () => {
  it('creates the object and records exactly what the applier set, in FieldsV1', () => {
    const out = apply(undefined, config({ replicas: 3 }), 'kubectl', false, T0);
    expect(spec(out).replicas).toBe(3);
    expect(entries(out)).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"log"}': { '.': {}, 'f:image': {}, 'f:name': {} },
                  'k:{"name":"web"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
    // apiVersion, kind, name and namespace are never owned; the selector is atomic (owned whole).
    expect(JSON.stringify(entries(out))).not.toMatch(/f:name":\{\},"f:namespace|f:apiVersion|f:matchLabels/);
  });

  it('is idempotent: re-applying the same config changes nothing, not even the time', () => {
    const first = stored(apply(undefined, config({ replicas: 3 }), 'kubectl', false, T0));
    const again = apply(first, config({ replicas: 3 }), 'kubectl', false, T2);
    expect(again).toEqual(first);
  });

  it('merges into what others wrote and leaves their fields alone', () => {
    const live = stored(apply(undefined, config({ replicas: 3 }), 'kubectl', false, T0));
    const injected = recordUpdate(live, { ...live, spec: { ...spec(live), template: { metadata: { labels: { app: 'web' }, annotations: { 'sidecar.istio.io/status': 'injected' } }, spec: { containers: [...containers(live), { name: 'istio-proxy', image: 'istio/proxyv2' }] } } } }, 'istio-injector', 'apps/v1', T1) as Obj;
    const out = apply(injected, config({ replicas: 3, image: 'nginx:1.27' }), 'kubectl', false, T2);
    expect(containers(out).map((c) => [c.name, c.image])).toEqual([
      ['web', 'nginx:1.27'],
      ['log', 'busybox:1.36'],
      ['istio-proxy', 'istio/proxyv2'],
    ]);
    expect(((spec(out).template as Obj).metadata as Obj).annotations).toEqual({ 'sidecar.istio.io/status': 'injected' });
    expect(entries(out).map((e) => [e.manager, e.operation, e.time])).toEqual([
      ['kubectl', 'Apply', T2],
      ['istio-injector', 'Update', T1],
    ]);
  });
});

describe('serverSideApply: conflicts', () => {
  /** Created by a client-side `kubectl apply` (an Update), then scaled by an HPA (another Update). */
  function scaledDeployment(): Obj {
    const created = recordUpdate(undefined, { ...config({ replicas: 3 }), metadata: { ...(config().metadata as Obj), uid: 'uid-web' } }, 'kubectl-client-side-apply', 'apps/v1', T0) as Obj;
    return recordUpdate(created, { ...created, spec: { ...spec(created), replicas: 5 } }, 'horizontal-pod-autoscaler', 'autoscaling/v1', T1) as Obj;
  }

  it('refuses to change a field another manager owns, with upstream’s message', () => {
    const created = recordUpdate(undefined, config({ replicas: 3 }), 'kubectl-client-side-apply', 'apps/v1', T0) as Obj;
    const e = conflictOf(() => apply(created, config({ replicas: 4 })));
    expect(e.code).toBe(409);
    expect(e.reason).toBe('Conflict');
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(e.toStatus().details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
  });

  it('lists every conflict grouped by manager', () => {
    const live = scaledDeployment();
    const e = conflictOf(() => apply(live, config({ replicas: 4, image: 'nginx:1.27' })));
    expect(e.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "horizontal-pod-autoscaler" using autoscaling/v1:\n- .spec.replicas\n' +
        'conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.template.spec.containers[name="web"].image',
    );
  });

  it('shares ownership instead of conflicting when the value is the same', () => {
    const live = scaledDeployment();
    const out = apply(live, config({ replicas: 5 }));
    expect(entry(out, 'kubectl')?.fieldsV1['f:spec']).toHaveProperty(['f:replicas']);
    expect(entry(out, 'horizontal-pod-autoscaler')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });

  it('takes ownership with force and reports what it overrode', () => {
    const live = scaledDeployment();
    const res = serverSideApply(live, config({ replicas: 4 }), { manager: 'kubectl', force: true, now: T2, kind: 'Deployment', apiVersion: 'apps/v1' });
    const out = res.object as Obj;
    expect(spec(out).replicas).toBe(4);
    expect(res.conflicts).toEqual([{ manager: '"horizontal-pod-autoscaler" using autoscaling/v1', field: '.spec.replicas' }]);
    // The autoscaler owned only replicas, so its entry is gone; kubectl owns replicas now.
    expect(entry(out, 'horizontal-pod-autoscaler')).toBeUndefined();
    expect(entry(out, 'kubectl')?.fieldsV1['f:spec']).toHaveProperty(['f:replicas']);
    // A later change by the autoscaler is a conflict for kubectl's next apply again.
    const rescaled = recordUpdate(out, { ...out, spec: { ...spec(out), replicas: 6 } }, 'horizontal-pod-autoscaler', 'autoscaling/v1', T2) as Obj;
    expect(() => apply(rescaled, config({ replicas: 4 }))).toThrow(ApplyConflictError);
  });

  it('gives untracked fields of an existing object to "before-first-apply"', () => {
    const legacy = { ...config({ replicas: 3 }), metadata: { ...(config().metadata as Obj), uid: 'uid-web' } };
    const e = conflictOf(() => apply(legacy, config({ replicas: 4 })));
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
    const out = apply(legacy, config({ replicas: 3 }));
    expect(entries(out).map((e) => e.manager)).toEqual(['kubectl', 'before-first-apply']);
  });
});

describe('serverSideApply: fields the applier stops setting', () => {
  it('removes a field the same manager applied before and omits now', () => {
    const live = stored(apply(undefined, config({ replicas: 3, env: [{ name: 'DEBUG', value: '1' }, { name: 'PORT', value: '80' }], labels: { app: 'web', tier: 'frontend' } })));
    const out = apply(live, config({ replicas: 3, env: [{ name: 'PORT', value: '80' }], sidecar: false }), 'kubectl', false, T2);
    expect(container(out, 'web')?.env).toEqual([{ name: 'PORT', value: '80' }]);
    expect(container(out, 'log')).toBeUndefined();
    expect((out.metadata as Obj).labels).toEqual({ app: 'web' });
    // Server-set metadata is untouched.
    expect((out.metadata as Obj).uid).toBe('uid-web');
    expect(JSON.stringify(entry(out, 'kubectl')?.fieldsV1)).not.toMatch(/DEBUG|"log"|tier/);
  });

  it('removes a whole list when it is no longer applied', () => {
    const live = stored(apply(undefined, config({ replicas: 3, env: [{ name: 'DEBUG', value: '1' }] })));
    const out = apply(live, config({ replicas: 3 }), 'kubectl', false, T2);
    expect(container(out, 'web')).not.toHaveProperty('env');
  });

  it('keeps an omitted field someone else also owns', () => {
    const live = stored(apply(undefined, config({ replicas: 3, labels: { app: 'web', tier: 'frontend' } })));
    // A second applier manages the same label with the same value.
    const shared = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { tier: 'frontend' } } }, 'team-labels');
    const out = apply(shared, config({ replicas: 3 }), 'kubectl', false, T2);
    expect((out.metadata as Obj).labels).toEqual({ app: 'web', tier: 'frontend' });
    expect(entry(out, 'team-labels')?.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
  });

  it('never removes what it did not apply (another applier’s container stays)', () => {
    const live = stored(apply(undefined, config({ replicas: 3, sidecar: false })));
    const withSidecar = apply(
      live,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'metrics', image: 'prom/statsd-exporter' }] } } } },
      'metrics-operator',
    );
    const out = apply(withSidecar, config({ replicas: 2, sidecar: false }), 'kubectl', false, T2);
    expect(containers(out).map((c) => c.name)).toEqual(['web', 'metrics']);
    expect(spec(out).replicas).toBe(2);
  });
});

describe('serverSideApply: merge rules', () => {
  const pod = (spec: Obj, metadata: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec });
  const applyPod = (live: Obj | undefined, cfg: Obj, manager = 'kubectl', opts: { subresource?: string } = {}): Obj =>
    serverSideApply(live, cfg, { manager, force: false, now: T1, kind: 'Pod', apiVersion: 'v1', ...opts }).object as Obj;

  it('replaces atomic lists and maps whole, and owns them whole', () => {
    const live = applyPod(undefined, pod({ containers: [{ name: 'c', image: 'i' }], tolerations: [{ key: 'a', operator: 'Exists' }], nodeSelector: { zone: 'a', disk: 'ssd' } }));
    expect(entry(live, 'kubectl')?.fieldsV1['f:spec']).toMatchObject({ 'f:tolerations': {}, 'f:nodeSelector': {} });
    const out = applyPod(live, pod({ containers: [{ name: 'c', image: 'i' }], tolerations: [{ key: 'b', operator: 'Exists' }], nodeSelector: { zone: 'b' } }));
    expect(spec(out).tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(spec(out).nodeSelector).toEqual({ zone: 'b' });
  });

  it('merges sets (finalizers) and keyed lists, applied order first and live-only items in place', () => {
    const live = applyPod(undefined, pod({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] }, { finalizers: ['example.com/one'] }), 'first');
    const out = applyPod(live, pod({ containers: [{ name: 'c', image: '1' }, { name: 'a', image: '1' }] }, { finalizers: ['example.com/two'] }), 'second');
    expect(containers({ spec: { template: { spec: spec(out) } } }).map((c) => c.name)).toEqual(['c', 'a', 'b']);
    expect((out.metadata as Obj).finalizers).toEqual(['example.com/one', 'example.com/two']);
    expect(entry(out, 'second')?.fieldsV1['f:metadata']).toEqual({ 'f:finalizers': { 'v:"example.com/two"': {} } });
  });

  it('removes a field set to null in the configuration and owns it', () => {
    const live = applyPod(undefined, pod({ containers: [{ name: 'c', image: 'i' }], priorityClassName: 'high' }));
    const out = applyPod(live, pod({ containers: [{ name: 'c', image: 'i' }], priorityClassName: null }));
    expect(spec(out)).not.toHaveProperty('priorityClassName');
    expect(entry(out, 'kubectl')?.fieldsV1['f:spec']).toHaveProperty(['f:priorityClassName']);
  });

  it('records the subresource in the manager’s identity', () => {
    const live = applyPod(undefined, pod({ containers: [{ name: 'c', image: 'i' }] }));
    const out = applyPod(live, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running' } }, 'kubelet', { subresource: 'status' });
    expect(entry(out, 'kubelet')).toMatchObject({ operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:phase': {} } } });
  });
});

describe('serverSideApply: validation', () => {
  it('rejects a configuration for another kind or version with 400', () => {
    expect(() => apply(undefined, { ...config(), apiVersion: 'apps/v1beta2' })).toThrow('invalid object type: apps/v1beta2, Kind=Deployment');
    expect(() => serverSideApply(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, { manager: 'm', force: false, now: T0, kind: 'Pod', apiVersion: 'v1' })).toThrow(
      'invalid object type: /v1, Kind=ConfigMap',
    );
  });

  it('rejects managedFields in the configuration and elements without their key', () => {
    expect(() => apply(undefined, { ...config(), metadata: { name: 'web', managedFields: [] } })).toThrow('metadata.managedFields must be nil');
    const noName = config();
    containers(noName).push({ image: 'alpine' });
    expect(() => apply(undefined, noName)).toThrow(BadRequestError);
    const dup = config();
    containers(dup).push({ name: 'web', image: 'alpine' });
    expect(() => apply(undefined, dup)).toThrow(/duplicate entries for key \[name="web"\]/);
  });

  it('does not change its arguments', () => {
    const live = stored(apply(undefined, config({ replicas: 3 })));
    const copy = structuredClone(live);
    const cfg = config({ replicas: 3, image: 'nginx:1.27' });
    const cfgCopy = structuredClone(cfg);
    apply(live, cfg);
    expect(live).toEqual(copy);
    expect(cfg).toEqual(cfgCopy);
  });
});

describe('recordUpdate', () => {
  const cm = (data: Obj, extra: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop', ...extra }, data });

  it('gives a creator everything it wrote, marking added containers with "."', () => {
    const out = recordUpdate(undefined, cm({ a: '1' }, { labels: { app: 'web' } }), 'kubectl-create', 'v1', T0) as Obj;
    expect(entries(out)).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      },
    ]);
  });

  it('moves ownership of changed fields to the writer and keeps the others', () => {
    const created = recordUpdate(undefined, cm({ a: '1', b: '2' }, { uid: 'u1' }), 'kubectl-create', 'v1', T0) as Obj;
    const edited = recordUpdate(created, { ...created, data: { a: '1', b: '3', c: '4' } }, 'kubectl-edit', 'v1', T1) as Obj;
    expect(entry(edited, 'kubectl-create')).toMatchObject({ time: T0, fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } });
    expect(entry(edited, 'kubectl-edit')).toMatchObject({ time: T1, fieldsV1: { 'f:data': { 'f:b': {}, 'f:c': {} } } });
    // A write that changes nothing leaves managedFields (and their times) alone.
    expect(recordUpdate(edited, edited, 'kubectl-edit', 'v1', T2)).toEqual(edited);
    // Removing a field drops it from its owner.
    const removed = recordUpdate(edited, { ...edited, data: { a: '1', b: '3' } }, 'kubectl-edit', 'v1', T2) as Obj;
    expect(entry(removed, 'kubectl-edit')?.fieldsV1).toEqual({ 'f:data': { 'f:b': {} } });
  });

  it('records the subresource and keeps one entry per apiVersion for Update managers', () => {
    const created = recordUpdate(undefined, cm({ a: '1' }, { uid: 'u1' }), 'm', 'v1', T0) as Obj;
    const status = recordUpdate(created, { ...created, data: { a: '2' } }, 'm', 'v1', T1, { subresource: 'status' }) as Obj;
    expect(entries(status).map((e) => [e.manager, e.subresource])).toEqual([
      ['m', undefined],
      ['m', 'status'],
    ]);
  });

  it('leaves an existing object that was never tracked untracked, and honours a reset', () => {
    const legacy = cm({ a: '1' }, { uid: 'u1' });
    expect((recordUpdate(legacy, cm({ a: '2' }, { uid: 'u1' }), 'm', 'v1', T1) as Obj).metadata).not.toHaveProperty('managedFields');
    const tracked = recordUpdate(undefined, cm({ a: '1' }, { uid: 'u1' }), 'm', 'v1', T0) as Obj;
    const reset = recordUpdate(tracked, { ...tracked, metadata: { ...(tracked.metadata as Obj), managedFields: [] } }, 'm', 'v1', T1) as Obj;
    expect(reset.metadata).not.toHaveProperty('managedFields');
  });

  it('keeps at most ten Update managers, folding the oldest into "ancient-changes"', () => {
    let obj = recordUpdate(undefined, cm({ k0: '0' }, { uid: 'u1' }), 'writer-0', 'v1', '2024-05-01T00:00:00Z') as Obj;
    for (let i = 1; i <= 11; i++) {
      obj = recordUpdate(obj, { ...obj, data: { ...(obj.data as Obj), [`k${i}`]: `${i}` } }, `writer-${i}`, 'v1', `2024-05-01T${String(i).padStart(2, '0')}:00:00Z`) as Obj;
    }
    const names = entries(obj).map((e) => e.manager);
    expect(names).toHaveLength(10);
    expect(names[0]).toBe('ancient-changes');
    expect(names).not.toContain('writer-0');
    expect(names).toContain('writer-11');
    expect(Object.keys(entry(obj, 'ancient-changes')!.fieldsV1['f:data'] as Obj).sort()).toEqual(['.', 'f:k0', 'f:k1', 'f:k2']);
  });
});
