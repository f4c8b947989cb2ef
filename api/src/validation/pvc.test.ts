// PersistentVolumeClaim update rules: spec is immutable except requests, volumeName set once by binding, and storageClassName set once when unset (retroactive default class).
import { lookupKind } from '../registry';
import type { KubeObject } from '../types/meta';
import { validateObject } from './index';

const info = lookupKind('v1', 'PersistentVolumeClaim')!;

function claim(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}

const errors = (next: KubeObject, old: KubeObject): string[] => validateObject(info, next, old).map((e) => `${e.field}: ${e.type}`);

describe('PersistentVolumeClaim updates', () => {
  it('allow a class to be set on a claim that had none, and volumeName to be set once', () => {
    expect(errors(claim({ storageClassName: 'local-path' }), claim({}))).toEqual([]);
    expect(errors(claim({ volumeName: 'pv-1' }), claim({}))).toEqual([]);
  });

  it('forbid changing or removing a class once set, even the empty one', () => {
    expect(errors(claim({ storageClassName: 'fast' }), claim({ storageClassName: 'local-path' }))).toEqual(['spec: FieldValueForbidden']);
    expect(errors(claim({ storageClassName: 'fast' }), claim({ storageClassName: '' }))).toEqual(['spec: FieldValueForbidden']);
    expect(errors(claim({}), claim({ storageClassName: 'local-path' }))).toEqual(['spec: FieldValueForbidden']);
  });
});
