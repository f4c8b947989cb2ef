// Tests for patchmeta.ts: spot checks of the merge table against the tags in k8s.io/api.
import { fieldMeta, isAtomicType, patchStrategies, rootType } from './patchmeta';

describe('patchStrategies', () => {
  it('reaches the pod template of every workload kind', () => {
    for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']) {
      const t = patchStrategies(kind);
      expect(t.get('spec.template.spec.containers')).toEqual({ strategy: 'merge', mergeKey: 'name' });
      expect(t.get('spec.template.spec.initContainers')).toEqual({ strategy: 'merge', mergeKey: 'name' });
      expect(t.get('spec.template.spec.containers[].env')).toEqual({ strategy: 'merge', mergeKey: 'name' });
      expect(t.get('spec.template.spec.containers[].ports')).toEqual({ strategy: 'merge', mergeKey: 'containerPort' });
      expect(t.get('spec.template.spec.containers[].volumeMounts')).toEqual({ strategy: 'merge', mergeKey: 'mountPath' });
      expect(t.get('spec.template.spec.volumes')).toEqual({ strategy: 'merge', mergeKey: 'name', retainKeys: true });
      expect(t.get('spec.template.spec.imagePullSecrets')).toEqual({ strategy: 'merge', mergeKey: 'name' });
      expect(t.get('metadata.ownerReferences')).toEqual({ strategy: 'merge', mergeKey: 'uid' });
      expect(t.get('metadata.finalizers')).toEqual({ strategy: 'merge' });
    }
    expect(patchStrategies('CronJob').get('spec.jobTemplate.spec.template.spec.containers')).toEqual({ strategy: 'merge', mergeKey: 'name' });
  });

  it('has the per-kind status and spec lists', () => {
    expect(patchStrategies('Deployment').get('spec.strategy')).toEqual({ strategy: 'retainKeys' });
    expect(patchStrategies('Deployment').get('status.conditions')).toEqual({ strategy: 'merge', mergeKey: 'type' });
    expect(patchStrategies('Job').get('status.conditions')).toEqual({ strategy: 'merge', mergeKey: 'type' });
    expect(patchStrategies('Pod').get('status.conditions')).toEqual({ strategy: 'merge', mergeKey: 'type' });
    expect(patchStrategies('Pod').get('spec.ephemeralContainers')).toEqual({ strategy: 'merge', mergeKey: 'name' });
    expect(patchStrategies('Node').get('status.conditions')).toEqual({ strategy: 'merge', mergeKey: 'type' });
    expect(patchStrategies('Node').get('status.addresses')).toEqual({ strategy: 'merge', mergeKey: 'type' });
    expect(patchStrategies('Node').get('spec.podCIDRs')).toEqual({ strategy: 'merge' });
    expect(patchStrategies('Service').get('spec.ports')).toEqual({ strategy: 'merge', mergeKey: 'port' });
    expect(patchStrategies('ServiceAccount').get('secrets')).toEqual({ strategy: 'merge', mergeKey: 'name' });
    expect(patchStrategies('Namespace').get('status.conditions')).toEqual({ strategy: 'merge', mergeKey: 'type' });
    expect(patchStrategies('PersistentVolumeClaim').get('status.conditions')).toEqual({ strategy: 'merge', mergeKey: 'type' });
  });

  it('leaves untagged lists out: they are replaced, as upstream', () => {
    const pod = patchStrategies('Pod');
    expect(pod.has('spec.tolerations')).toBe(false);
    expect(pod.has('spec.containers[].args')).toBe(false);
    expect(pod.has('spec.containers[].envFrom')).toBe(false);
    expect(patchStrategies('Endpoints').has('subsets')).toBe(false);
    expect(patchStrategies('Endpoints').has('subsets[].addresses')).toBe(false);
    // Keyed for apply but replaced by strategic merge patch.
    expect(pod.get('spec.containers[].resources.claims')).toEqual({ strategy: 'replace' });
  });

  it('is empty for kinds it does not know', () => {
    expect(patchStrategies('Widget').size).toBe(0);
    expect(rootType('Widget')).toBeUndefined();
  });
});

describe('fieldMeta', () => {
  it('carries the apply list keys, with the protocol default upstream uses', () => {
    expect(fieldMeta('Container', 'ports')).toMatchObject({ listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } });
    expect(fieldMeta('ServiceSpec', 'ports')).toMatchObject({ listType: 'map', listMapKeys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } });
    expect(fieldMeta('PodSpec', 'topologySpreadConstraints')).toMatchObject({ listMapKeys: ['topologyKey', 'whenUnsatisfiable'] });
    expect(fieldMeta('ObjectMeta', 'finalizers')).toMatchObject({ listType: 'set' });
  });

  it('marks atomic maps and structs', () => {
    expect(fieldMeta('PodSpec', 'nodeSelector')).toMatchObject({ atomic: true });
    expect(fieldMeta('ServiceSpec', 'selector')).toMatchObject({ atomic: true });
    expect(isAtomicType('LabelSelector')).toBe(true);
    expect(isAtomicType('OwnerReference')).toBe(true);
    expect(isAtomicType('PodSpec')).toBe(false);
  });

  it('has no apply keys where apply treats a merged list as atomic', () => {
    expect(fieldMeta('JobStatus', 'conditions')).toEqual({ patchStrategy: 'merge', patchMergeKey: 'type' });
    expect(fieldMeta('PodStatus', 'hostIPs')?.listType).toBeUndefined();
  });
});
