// ControllerRevision history helpers: hashes, names, equality, ordering, pruning, and creation with hash collisions.
import type { ControllerRevision } from '@keelson/api';
import { t0 } from '../testing/builders';
import { FakeApi } from '../testing/fakeapi';
import { timestamp } from './time';
import {
  controllerRevisionHash,
  controllerRevisionHashLabel,
  controllerRevisionName,
  createControllerRevision,
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  revisionLabel,
  revisionsToDelete,
  sortRevisions,
} from './history';

const parent = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'uid-web' } };
const dataV1 = { spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] }, $patch: 'replace' } } };
const dataV2 = { spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] }, $patch: 'replace' } } };

function rev(name: string, revision: number, created = t0, data: unknown = dataV1): ControllerRevision {
  const r = newControllerRevision(parent, data, revision);
  return { ...r, metadata: { ...r.metadata, name, creationTimestamp: timestamp(created) } };
}

describe('controllerRevisionHash', () => {
  it('is stable, independent of key order, safe-encoded, and changes with the data and the collision count', () => {
    const h = controllerRevisionHash(dataV1);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    const reordered = { spec: { template: { $patch: 'replace', spec: dataV1.spec.template.spec, metadata: dataV1.spec.template.metadata } } };
    expect(controllerRevisionHash(reordered)).toBe(h);
    expect(controllerRevisionHash(dataV2)).not.toBe(h);
    expect(controllerRevisionHash(dataV1, 0)).not.toBe(h);
    expect(controllerRevisionHash(dataV1, 1)).not.toBe(controllerRevisionHash(dataV1, 0));
  });

  it('names revisions <parent>-<hash>, cutting long parent names to 223 characters', () => {
    expect(controllerRevisionName('web', 'abc')).toBe('web-abc');
    expect(controllerRevisionName('x'.repeat(300), 'abc')).toBe(`${'x'.repeat(223)}-abc`);
  });
});

describe('newControllerRevision', () => {
  it('is owned by its parent, carries the template labels and the hash, and copies the data', () => {
    const data = structuredClone(dataV1);
    const r = newControllerRevision(parent, data, 3, undefined, { app: 'web' });
    const hash = controllerRevisionHash(dataV1);
    expect(r.metadata?.name).toBe(`web-${hash}`);
    expect(r.metadata?.namespace).toBe('ns');
    expect(r.metadata?.labels).toEqual({ app: 'web', [controllerRevisionHashLabel]: hash, [revisionLabel]: hash });
    expect(r.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    expect(r.revision).toBe(3);
    data.spec.template.spec.containers[0]!.image = 'changed';
    expect(r.data).toEqual(dataV1);
  });

  it('gets another name under a collision count', () => {
    expect(newControllerRevision(parent, dataV1, 1, 1).metadata?.name).toBe(`web-${controllerRevisionHash(dataV1, 1)}`);
  });
});

describe('revision ordering and equality', () => {
  it('nextRevision is one past the highest, 1 for none', () => {
    expect(nextRevision([])).toBe(1);
    expect(nextRevision([rev('a', 4), rev('b', 2)])).toBe(5);
  });

  it('sorts by revision, then creation time, then name', () => {
    const sorted = sortRevisions([rev('d', 2, t0), rev('c', 1, t0 + 1000), rev('b', 1, t0), rev('a', 1, t0)]);
    expect(sorted.map((r) => r.metadata?.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('compares data, not names or revision numbers', () => {
    expect(equalRevision(rev('a', 1), rev('b', 7))).toBe(true);
    expect(equalRevision(rev('a', 1), rev('a', 1, t0, dataV2))).toBe(false);
    expect(equalRevision(undefined, undefined)).toBe(true);
    expect(equalRevision(rev('a', 1), undefined)).toBe(false);
    const candidate = newControllerRevision(parent, dataV2, 9, 2);
    expect(findEqualRevisions([rev('a', 1), rev('b', 2, t0, dataV2), rev('c', 3)], candidate).map((r) => r.metadata?.name)).toEqual(['b']);
  });
});

describe('revisionsToDelete', () => {
  it('keeps the live revisions and the newest `limit` others, deleting the oldest', () => {
    const revs = [rev('r5', 5), rev('r1', 1), rev('r3', 3), rev('r2', 2), rev('r4', 4)];
    const live = new Set(['r1', 'r5']);
    expect(revisionsToDelete(revs, live, 1).map((r) => r.metadata?.name)).toEqual(['r2', 'r3']);
    expect(revisionsToDelete(revs, live, 3)).toEqual([]);
    expect(revisionsToDelete(revs, live, 0).map((r) => r.metadata?.name)).toEqual(['r2', 'r3', 'r4']);
  });
});

describe('createControllerRevision', () => {
  it('creates the revision with the given collision count', async () => {
    const api = new FakeApi();
    const res = await createControllerRevision(api.client, parent, dataV1, 1, 0, { app: 'web' });
    expect(res.collisionCount).toBe(0);
    expect(res.revision.metadata?.name).toBe(`web-${controllerRevisionHash(dataV1, 0)}`);
    expect(api.summary()).toEqual([`create controllerrevisions`]);
  });

  it('returns an existing revision with the same data instead of failing', async () => {
    const api = new FakeApi();
    const existing = newControllerRevision(parent, dataV1, 1, 0);
    api.seed(existing);
    const res = await createControllerRevision(api.client, parent, dataV1, 2, 0);
    expect(res).toMatchObject({ collisionCount: 0, revision: { metadata: { name: existing.metadata?.name }, revision: 1 } });
  });

  it('bumps the collision count past a different revision holding its name', async () => {
    const api = new FakeApi();
    // Another template's revision squats on the name dataV1 hashes to under collision count 0.
    const squatter = { ...newControllerRevision(parent, dataV2, 1, 0), metadata: { ...newControllerRevision(parent, dataV1, 1, 0).metadata } };
    api.seed(squatter);
    const res = await createControllerRevision(api.client, parent, dataV1, 2, 0);
    expect(res.collisionCount).toBe(1);
    expect(res.revision.metadata?.name).toBe(`web-${controllerRevisionHash(dataV1, 1)}`);
    expect(res.revision.data).toEqual(dataV1);
  });
});
