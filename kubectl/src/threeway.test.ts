// Unit tests for the three-way strategic merge patch client-side apply sends (the patches kubectl's CreateThreeWayMergePatch makes).
import { goJson, type JsonObject } from './objects';
import { createThreeWayMergePatch, createTwoWayMergePatch, PatchComputeError } from './threeway';

/** A Deployment with the given containers (and optional extra spec fields). */
function deployment(containers: JsonObject[], spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } }, ...spec },
  };
}

/** What the server adds to a container. */
const defaults = { imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };

function patch(original: JsonObject | undefined, modified: JsonObject, current: JsonObject, kind = 'Deployment'): string {
  return goJson(createThreeWayMergePatch(original, modified, current, kind));
}

describe('createThreeWayMergePatch', () => {
  const applied = deployment([{ name: 'web', image: 'nginx:1.25' }]);
  const live = deployment([{ name: 'web', image: 'nginx:1.25', ...defaults }], { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } });

  it('is empty when the manifest has not changed, whatever the server defaulted', () => {
    expect(patch(applied, applied, live)).toBe('{}');
  });

  it('changes a container image with the element order directive, as kubectl sends it', () => {
    const modified = deployment([{ name: 'web', image: 'nginx:1.26' }]);
    expect(patch(applied, modified, live)).toBe('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"image":"nginx:1.26","name":"web"}]}}}}');
  });

  it('sets a field removed from the manifest to null, and leaves fields only the server set alone', () => {
    const withEnv = deployment([{ name: 'web', image: 'nginx:1.25' }], { minReadySeconds: 5 });
    const liveWithEnv = deployment([{ name: 'web', image: 'nginx:1.25', ...defaults }], { minReadySeconds: 5, revisionHistoryLimit: 10 });
    expect(patch(withEnv, applied, liveWithEnv)).toBe('{"spec":{"minReadySeconds":null}}');
  });

  it('keeps a field someone else changed when the manifest does not mention it', () => {
    const scaled = deployment([{ name: 'web', image: 'nginx:1.25', ...defaults }]);
    (scaled['spec'] as JsonObject)['replicas'] = 5;
    const noReplicas = deployment([{ name: 'web', image: 'nginx:1.25' }]);
    delete (noReplicas['spec'] as JsonObject)['replicas'];
    // replicas was in the last manifest and is gone now: it is removed…
    expect(patch(applied, noReplicas, scaled)).toBe('{"spec":{"replicas":null}}');
    // …but if it never was in a manifest, the scaled value survives.
    expect(patch(noReplicas, noReplicas, scaled)).toBe('{}');
  });

  it('deletes a container removed from the manifest by its merge key', () => {
    const two = deployment([
      { name: 'web', image: 'nginx:1.25' },
      { name: 'sidecar', image: 'envoy' },
    ]);
    const liveTwo = deployment([
      { name: 'web', image: 'nginx:1.25', ...defaults },
      { name: 'sidecar', image: 'envoy', ...defaults },
    ]);
    expect(patch(two, applied, liveTwo)).toBe('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"$patch":"delete","name":"sidecar"}]}}}}');
  });

  it('adds a container and merges nested keyed lists (ports by containerPort, env by name)', () => {
    const modified = deployment([
      { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }, { containerPort: 443 }], env: [{ name: 'A', value: '2' }] },
      { name: 'log', image: 'busybox' },
    ]);
    const original = deployment([{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: 'x' }] }]);
    const current = deployment([{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: 'x' }], ...defaults }]);
    expect(JSON.parse(patch(original, modified, current))).toEqual({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'log' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }],
                '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
                env: [{ name: 'A', value: '2' }, { $patch: 'delete', name: 'B' }],
                name: 'web',
                ports: [{ containerPort: 443 }],
              },
              { image: 'busybox', name: 'log' },
            ],
          },
        },
      },
    });
  });

  it('replaces lists without a merge strategy whole (args, command)', () => {
    const original = deployment([{ name: 'web', image: 'x', args: ['a', 'b'] }]);
    const modified = deployment([{ name: 'web', image: 'x', args: ['a'] }]);
    const current = deployment([{ name: 'web', image: 'x', args: ['a', 'b'], ...defaults }]);
    expect(patch(original, modified, current)).toBe('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"args":["a"],"name":"web"}]}}}}');
  });

  it('adds $retainKeys for retainKeys fields, so switching strategy drops rollingUpdate', () => {
    const modified = deployment([{ name: 'web', image: 'nginx:1.25' }], { strategy: { type: 'Recreate' } });
    expect(patch(applied, modified, live)).toBe('{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}');
  });

  it('deletes from merged lists of scalars with $deleteFromPrimitiveList', () => {
    const meta = (finalizers: string[]): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers } });
    expect(patch(meta(['a', 'b']), meta(['a']), meta(['a', 'b', 'c']), 'ConfigMap')).toBe('{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"],"$setElementOrder/finalizers":["a"]}}');
  });

  it('deletes nothing without a last-applied configuration', () => {
    const modified = deployment([{ name: 'web', image: 'nginx:1.25' }]);
    delete (modified['spec'] as JsonObject)['replicas'];
    expect(patch(undefined, modified, live)).toBe('{}');
  });

  it('replaces a value whose type changed, and treats maps without metadata as plain merges', () => {
    const original: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } };
    const modified: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '3' } };
    expect(patch(original, modified, original, 'ConfigMap')).toBe('{"data":{"a":"3","b":null}}');
    const typed: JsonObject = { ...modified, data: 'oops' };
    expect(patch(original, typed, original, 'ConfigMap')).toBe('{"data":"oops"}');
  });

  it('reports a keyed list element without its merge key', () => {
    const bad = deployment([{ image: 'nginx' }]);
    expect(() => createThreeWayMergePatch(applied, bad, live, 'Deployment')).toThrow(PatchComputeError);
    expect(() => createThreeWayMergePatch(applied, bad, live, 'Deployment')).toThrow('does not contain declared merge key: name');
  });
});

describe('createTwoWayMergePatch', () => {
  it('diffs both ways', () => {
    const a: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1', b: '2' } };
    const b: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1', c: '3' } };
    expect(goJson(createTwoWayMergePatch(a, b, 'ConfigMap'))).toBe('{"data":{"b":null,"c":"3"}}');
  });
});
