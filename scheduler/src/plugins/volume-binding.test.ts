// VolumeBinding: bound local volumes pin pods to their node; WaitForFirstConsumer claims are told the chosen node.
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '@keelson/api';
import { makeNode, makePod, snapshotOf, filterReasons } from '../testing';
import { claimsToAnnotate, volumeBinding, type VolumeLister } from './volume-binding';

const claim = (name: string, o: { volumeName?: string; cls?: string; selected?: string } = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', ...(o.selected !== undefined ? { annotations: { 'volume.kubernetes.io/selected-node': o.selected } } : {}) },
  spec: { ...(o.volumeName !== undefined ? { volumeName: o.volumeName } : {}), storageClassName: o.cls ?? 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});
const pv: PersistentVolume = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv-a' },
  spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } },
};
const classes: Record<string, StorageClass> = {
  'local-path': { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: 'keelson.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
  fast: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x', volumeBindingMode: 'Immediate' },
};
const lister = (claims: PersistentVolumeClaim[]): VolumeLister => ({
  claim: (_ns, name) => claims.find((c) => c.metadata?.name === name),
  volume: (name) => (name === 'pv-a' ? pv : undefined),
  storageClass: (name) => classes[name],
});
const withClaim = (name: string) => makePod('p', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: name } }] } });
const snap = snapshotOf([makeNode('a', { labels: { 'kubernetes.io/hostname': 'a' } }), makeNode('b', { labels: { 'kubernetes.io/hostname': 'b' } })]);

describe('VolumeBinding', () => {
  it('skips pods without claims and refuses missing claims or unbound Immediate claims', () => {
    expect(filterReasons(volumeBinding(lister([])), makePod('p'), snap, 'a')).toBe('skip');
    expect(filterReasons(volumeBinding(lister([])), withClaim('gone'), snap, 'a')).toEqual(['persistentvolumeclaim "gone" not found']);
    expect(filterReasons(volumeBinding(lister([claim('c', { cls: 'fast' })])), withClaim('c'), snap, 'a')).toEqual(['pod has unbound immediate PersistentVolumeClaims']);
  });

  it('keeps a pod whose claim is bound to a node-local volume on that node', () => {
    const plugin = volumeBinding(lister([claim('c', { volumeName: 'pv-a' })]));
    expect(filterReasons(plugin, withClaim('c'), snap, 'a')).toEqual([]);
    expect(filterReasons(plugin, withClaim('c'), snap, 'b')).toEqual(['node(s) had volume node affinity conflict']);
  });

  it('lets an unbound WaitForFirstConsumer claim go anywhere, then to the node chosen for it', () => {
    expect(filterReasons(volumeBinding(lister([claim('c')])), withClaim('c'), snap, 'b')).toBe('skip');
    expect(claimsToAnnotate(withClaim('c'), lister([claim('c')])).map((c) => c.metadata?.name)).toEqual(['c']);
    const chosen = lister([claim('c', { selected: 'b' })]);
    expect(filterReasons(volumeBinding(chosen), withClaim('c'), snap, 'a')).toEqual(['node(s) had volume node affinity conflict']);
    expect(claimsToAnnotate(withClaim('c'), chosen)).toEqual([]);
  });
});
