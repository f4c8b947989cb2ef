// Unknown fields are dropped at any depth and reported by path; known fields, maps and opaque objects stay.
import { pruneUnknownFields } from './prune';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'any.key/at-all': 'v' }, bogusMeta: 1 },
    spec: {
      replicas: 2,
      nonsense: true,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'a', image: 'nginx', ports: [{ containerPort: 80, portz: 1 }] },
            { name: 'b', image: 'nginx', imagePullPolicyy: 'Always', resources: { limits: { cpu: '1', 'example.com/gpu': '2' } } },
          ],
        },
      },
    },
  };
}

describe('pruneUnknownFields', () => {
  it('drops unknown fields at every depth, inside lists too, and lists them in document order', () => {
    const obj = deployment();
    const unknown = pruneUnknownFields(DEPLOYMENT, obj);
    expect(unknown).toEqual([
      'metadata.bogusMeta',
      'spec.nonsense',
      'spec.template.spec.containers[0].ports[0].portz',
      'spec.template.spec.containers[1].imagePullPolicyy',
    ]);
    const spec = obj['spec'] as Record<string, unknown>;
    expect(spec).not.toHaveProperty('nonsense');
    expect(obj['metadata']).toEqual({ name: 'web', labels: { 'any.key/at-all': 'v' } });
    const containers = ((spec['template'] as { spec: { containers: Record<string, unknown>[] } }).spec.containers);
    expect(containers[0]).toEqual({ name: 'a', image: 'nginx', ports: [{ containerPort: 80 }] });
    expect(containers[1]).toEqual({ name: 'b', image: 'nginx', resources: { limits: { cpu: '1', 'example.com/gpu': '2' } } });
  });

  it('leaves a clean object alone', () => {
    const obj = deployment();
    pruneUnknownFields(DEPLOYMENT, obj);
    const again = structuredClone(obj);
    expect(pruneUnknownFields(DEPLOYMENT, again)).toEqual([]);
    expect(again).toEqual(obj);
  });

  it('leaves values of the wrong type for validation to report', () => {
    const obj = { spec: { replicas: 'three', template: 'oops', selector: [1, 2] }, metadata: 'x' };
    expect(pruneUnknownFields(DEPLOYMENT, obj)).toEqual([]);
    expect(obj).toEqual({ spec: { replicas: 'three', template: 'oops', selector: [1, 2] }, metadata: 'x' });
  });

  it('keeps opaque objects (managedFields fieldsV1, ControllerRevision data) whole', () => {
    const rev = {
      metadata: { managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:replicas': {} } }, nope: 1 }] },
      data: { spec: { anything: { goes: true } } },
      revision: 3,
    };
    expect(pruneUnknownFields('io.k8s.api.apps.v1.ControllerRevision', rev)).toEqual(['metadata.managedFields[0].nope']);
    expect(rev.data).toEqual({ spec: { anything: { goes: true } } });
    expect(rev.metadata.managedFields[0]).toEqual({ manager: 'm', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  });

  it('handles status and nulls, and rejects an unknown definition', () => {
    const pod = { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, extra: 'x' }] }, spec: null };
    expect(pruneUnknownFields('io.k8s.api.core.v1.Pod', pod)).toEqual(['status.conditions[0].extra']);
    expect(pod.status.conditions[0]).toEqual({ type: 'Ready', status: 'True', lastProbeTime: null });
    expect(() => pruneUnknownFields('io.k8s.api.core.v1.Nope', {})).toThrow(/no OpenAPI definition/);
  });
});
