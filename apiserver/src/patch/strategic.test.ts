// Tests for strategic.ts on realistic objects. Expected orders follow upstream's rules (checked
// against the application cases of k8s.io/apimachinery strategicpatch's own test suite).
import { BadRequestError } from '@keelson/api';
import { PatchApplyError } from './errors';
import type { JsonObject } from './json';
import { strategicMergePatch } from './strategic';

type Obj = JsonObject;

const deployment = (): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web', tier: 'frontend' },
    finalizers: ['example.com/protect'],
    ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Shop', name: 'shop', uid: 'uid-1', controller: true }],
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'PORT', value: '80' },
            ],
            volumeMounts: [{ name: 'config', mountPath: '/etc/nginx/conf.d' }],
          },
          { name: 'log', image: 'busybox:1.36', args: ['tail', '-f', '/var/log/nginx/access.log'] },
        ],
        volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
      },
    },
  },
});

const podSpec = (o: Obj): Obj => ((o.spec as Obj).template as Obj).spec as Obj;
const containers = (o: Obj): Obj[] => podSpec(o).containers as Obj[];
const container = (o: Obj, name: string): Obj => containers(o).find((c) => c.name === name)!;
const inTemplate = (spec: Obj): Obj => ({ spec: { template: { spec } } });
const smp = (patch: Obj, live: Obj = deployment(), kind = 'Deployment'): Obj => strategicMergePatch(live, patch, kind);

describe('strategicMergePatch: containers merged by name', () => {
  it('changes one container image and keeps the other container and all other fields', () => {
    const out = smp(inTemplate({ containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    expect(containers(out).map((c) => [c.name, c.image])).toEqual([
      ['web', 'nginx:1.27'],
      ['log', 'busybox:1.36'],
    ]);
    expect(container(out, 'web').env).toEqual(container(deployment(), 'web').env);
    expect(container(out, 'web').ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('adds an env var by name and updates an existing one in place', () => {
    const out = smp(inTemplate({ containers: [{ name: 'web', env: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'CACHE', value: 'on' }] }] }));
    // Patch elements come in patch order; PORT (live-only) was after LOG_LEVEL live and keeps
    // that relation, but has no live relation to the new CACHE, which the patch puts first.
    expect(container(out, 'web').env).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'CACHE', value: 'on' },
      { name: 'PORT', value: '80' },
    ]);
  });

  it('deletes a container with $patch: delete', () => {
    const out = smp(inTemplate({ containers: [{ name: 'log', $patch: 'delete' }] }));
    expect(containers(out).map((c) => c.name)).toEqual(['web']);
  });

  it('adds a container at the end, ignoring directives inside the new element', () => {
    const out = smp(
      inTemplate({
        containers: [{ name: 'metrics', image: 'prom/statsd-exporter', env: [{ name: 'A', value: '1' }], '$setElementOrder/env': [{ name: 'A' }] }],
      }),
    );
    expect(containers(out).map((c) => c.name)).toEqual(['metrics', 'web', 'log']);
    expect(container(out, 'metrics')).toEqual({ name: 'metrics', image: 'prom/statsd-exporter', env: [{ name: 'A', value: '1' }] });
  });

  it('replaces the whole list with a $patch: replace element', () => {
    const out = smp(inTemplate({ containers: [{ name: 'only', image: 'alpine:3' }, { $patch: 'replace' }] }));
    expect(containers(out)).toEqual([{ name: 'only', image: 'alpine:3' }]);
  });

  it('accepts $patch: merge on an element as the default it names', () => {
    const out = smp(inTemplate({ containers: [{ name: 'web', image: 'nginx:1.27', $patch: 'merge' }] }));
    expect(container(out, 'web').image).toBe('nginx:1.27');
    expect(container(out, 'web')).not.toHaveProperty('$patch');
  });

  it('merges ports by containerPort and volumeMounts by mountPath', () => {
    const out = smp(
      inTemplate({
        containers: [
          {
            name: 'web',
            ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }],
            volumeMounts: [{ mountPath: '/etc/nginx/conf.d', readOnly: true }],
          },
        ],
      }),
    );
    expect(container(out, 'web').ports).toEqual([
      { containerPort: 80, protocol: 'TCP', name: 'http' },
      { containerPort: 443, name: 'https' },
    ]);
    expect(container(out, 'web').volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/nginx/conf.d', readOnly: true }]);
  });

  it('fails with 400 when an element lacks the merge key', () => {
    expect(() => smp(inTemplate({ containers: [{ image: 'nginx:1.27' }] }))).toThrow(BadRequestError);
    expect(() => smp(inTemplate({ containers: [{ image: 'nginx:1.27' }] }))).toThrow(/does not contain declared merge key: name/);
  });
});

describe('strategicMergePatch: $setElementOrder', () => {
  it('reorders the list', () => {
    const out = smp(inTemplate({ '$setElementOrder/containers': [{ name: 'log' }, { name: 'web' }], containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    expect(containers(out).map((c) => [c.name, c.image])).toEqual([
      ['log', 'busybox:1.36'],
      ['web', 'nginx:1.27'],
    ]);
  });

  it('keeps a server-only element where it was when kubectl deletes one container and adds another', () => {
    // Live: an injected sidecar sits between the two containers the user manages.
    const live = deployment();
    podSpec(live).containers = [
      { name: 'web', image: 'nginx:1.25' },
      { name: 'istio-proxy', image: 'istio/proxyv2' },
      { name: 'log', image: 'busybox:1.36' },
    ];
    const out = smp(
      inTemplate({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'metrics' }],
        containers: [{ name: 'metrics', image: 'prom/statsd-exporter' }, { name: 'log', $patch: 'delete' }],
      }),
      live,
    );
    expect(containers(out).map((c) => c.name)).toEqual(['web', 'istio-proxy', 'metrics']);
  });

  it('orders env vars with server-only ones interleaved by their live position', () => {
    const live = deployment();
    container(live, 'web').env = ['A', 'B', 'X', 'C', 'D'].map((name) => ({ name, value: name.toLowerCase() }));
    const out = smp(inTemplate({ containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }, { name: 'D' }, { name: 'C' }] }] }), live);
    expect((container(out, 'web').env as Obj[]).map((e) => e.name)).toEqual(['B', 'A', 'X', 'D', 'C']);
  });

  it('rejects a patch list whose order contradicts the directive', () => {
    const patch = inTemplate({ '$setElementOrder/containers': [{ name: 'web' }, { name: 'log' }], containers: [{ name: 'log', image: 'x' }, { name: 'web', image: 'y' }] });
    expect(() => smp(patch)).toThrow(/doesn't match \$setElementOrder list/);
  });
});

describe('strategicMergePatch: objects and directives', () => {
  it('switches the rollout strategy with $retainKeys, clearing rollingUpdate', () => {
    const out = smp({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    expect((out.spec as Obj).strategy).toEqual({ type: 'Recreate' });
    // Without the directive the old rollingUpdate block would stay.
    expect((smp({ spec: { strategy: { type: 'Recreate' } } }).spec as Obj).strategy).toEqual({
      type: 'Recreate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
  });

  it('rejects a $retainKeys that does not list a key the patch sets, or is not a list', () => {
    expect(() => smp({ spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } })).toThrow(/invalid patch format of retainKeys/);
    expect(() => smp({ spec: { strategy: { $retainKeys: 'type', type: 'Recreate' } } })).toThrow(BadRequestError);
  });

  it('switches a volume source with $retainKeys inside the element', () => {
    const out = smp(inTemplate({ volumes: [{ name: 'config', $retainKeys: ['name', 'secret'], secret: { secretName: 'web-tls' } }] }));
    expect(podSpec(out).volumes).toEqual([{ name: 'config', secret: { secretName: 'web-tls' } }]);
  });

  it('deletes a map key with null and ignores nulls for keys that are not there', () => {
    const out = smp({ metadata: { labels: { tier: null, team: 'payments' }, annotations: { gone: null } } });
    expect((out.metadata as Obj).labels).toEqual({ app: 'web', team: 'payments' });
    // Upstream's patch function leaves an empty map here too (the typed decoder then drops it).
    expect((out.metadata as Obj).annotations).toEqual({});
  });

  it('replaces a map with $patch: replace and empties it with $patch: delete', () => {
    const out = smp({ spec: { template: { metadata: { labels: { $patch: 'replace', app: 'web2' } } }, strategy: { $patch: 'delete' } } });
    expect(((out.spec as Obj).template as Obj).metadata).toEqual({ labels: { app: 'web2' } });
    expect((out.spec as Obj).strategy).toEqual({});
  });

  it('keeps the content of a $patch: replace map set on a key that is not there (upstream drops it)', () => {
    const live = deployment();
    delete ((live.spec as Obj).template as Obj).metadata;
    const out = smp({ spec: { template: { metadata: { $patch: 'replace', labels: { app: 'web' } } } } }, live);
    expect(((out.spec as Obj).template as Obj).metadata).toEqual({ labels: { app: 'web' } });
  });

  it('replaces lists without a merge key (tolerations)', () => {
    const out = smp(inTemplate({ tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] }));
    expect(podSpec(out).tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(container(smp(inTemplate({ containers: [{ name: 'log', args: ['tail'] }] })), 'log').args).toEqual(['tail']);
  });

  it('rejects an unknown $patch value', () => {
    expect(() => smp({ spec: { strategy: { $patch: 'frobnicate' } } })).toThrow(/unknown patch type: "frobnicate"/);
  });

  it('rejects lists of lists with 422, as upstream', () => {
    expect(() => smp({ metadata: { finalizers: [['a']] } })).toThrow(PatchApplyError);
  });

  it('never changes its inputs', () => {
    const live = deployment();
    const patch: Obj = inTemplate({ '$setElementOrder/containers': [{ name: 'log' }, { name: 'web' }], containers: [{ name: 'web', image: 'nginx:1.27' }] });
    const patchCopy = structuredClone(patch);
    smp(patch, live);
    expect(live).toEqual(deployment());
    expect(patch).toEqual(patchCopy);
  });
});

describe('strategicMergePatch: lists of scalars and metadata', () => {
  it('merges finalizers as a set and deletes with $deleteFromPrimitiveList', () => {
    const added = smp({ metadata: { finalizers: ['example.com/backup', 'example.com/protect'] } });
    expect((added.metadata as Obj).finalizers).toEqual(['example.com/backup', 'example.com/protect']);
    const removed = smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/protect'] } });
    expect((removed.metadata as Obj).finalizers).toEqual([]);
    // Deleting from a list that is not there does not create it.
    const live = deployment();
    delete (live.metadata as Obj).finalizers;
    expect(smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, live).metadata).not.toHaveProperty('finalizers');
  });

  it('merges ownerReferences by uid', () => {
    const out = smp({ metadata: { ownerReferences: [{ uid: 'uid-1', blockOwnerDeletion: true }, { apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', uid: 'uid-2' }] } });
    expect((out.metadata as Obj).ownerReferences).toEqual([
      { apiVersion: 'example.com/v1', kind: 'Shop', name: 'shop', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', uid: 'uid-2' },
    ]);
  });

  it('merges status conditions by type, as the kubelet patches pod status', () => {
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0' },
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
        ],
      },
    };
    const out = smp({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', reason: null }] } }, pod, 'Pod');
    expect(out.status).toEqual({
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    });
  });

  it('merges Service ports by port and Node addresses by type', () => {
    const svc: Obj = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
    expect((smp({ spec: { ports: [{ port: 80, targetPort: 9090 }] } }, svc, 'Service').spec as Obj).ports).toEqual([{ name: 'http', port: 80, targetPort: 9090 }]);
    const node: Obj = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } };
    const out = smp({ status: { addresses: [{ type: 'Hostname', address: 'n1' }] } }, node, 'Node');
    expect((out.status as Obj).addresses).toEqual([
      { type: 'Hostname', address: 'n1' },
      { type: 'InternalIP', address: '10.0.0.1' },
    ]);
  });

  it('replaces every list of a kind it has no table for', () => {
    const out = strategicMergePatch({ spec: { items: [{ name: 'a' }, { name: 'b' }] } }, { spec: { items: [{ name: 'a', x: 1 }] } }, 'Widget');
    expect(out).toEqual({ spec: { items: [{ name: 'a', x: 1 }] } });
  });
});
