// DaemonSet reconcile, Kubernetes style: seed nodes, pods, revisions and the DaemonSet, call sync(key), assert the API calls it made.
import type { ControllerRevision, DaemonSet, Pod } from '@keelson/api';
import { t0 } from '../testing/builders';
import { daemonPod, daemonSet, daemonSetFixture, hashOf, node, revisionOf } from './fixture';
import { targetNodeName } from './predicates';
import { hashLabel, templateGenerationLabel } from './util';

const key = 'default/agent';

function statusWrite(f: ReturnType<typeof daemonSetFixture>): DaemonSet['status'] {
  const w = f.api.writes().filter((a) => a.resource === 'daemonsets/status');
  return (w[w.length - 1]?.body as DaemonSet | undefined)?.status;
}

describe('syncDaemonSet: placing pods', () => {
  it('creates one pod per eligible node, pinned by node affinity and left for the scheduler to bind', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.nodes(node('n1'), node('n2'), node('n3', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
    await f.controller.sync(key);

    const created = f.created();
    expect(created.map((p) => targetNodeName(p)).sort()).toEqual(['n1', 'n2']);
    for (const p of created) {
      expect(p.spec?.nodeName).toBeUndefined();
      expect(p.metadata?.generateName).toBe('agent-');
      expect(p.metadata?.labels).toEqual({ app: 'agent', [hashLabel]: hashOf(ds), [templateGenerationLabel]: '1' });
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', uid: 'uid-agent', controller: true });
      expect(p.spec?.tolerations?.map((t) => t.key)).toContain('node.kubernetes.io/unreachable');
    }
    // The current revision is stored with the template as a replace patch and the same hash.
    const rev = f.api.writes().find((a) => a.verb === 'create' && a.resource === 'controllerrevisions')?.body as ControllerRevision;
    expect(rev.metadata?.name).toBe(`agent-${hashOf(ds)}`);
    expect(rev.revision).toBe(1);
    expect(rev.metadata?.labels?.[hashLabel]).toBe(hashOf(ds));
    expect((rev.data as { spec: { template: { $patch: string } } }).spec.template.$patch).toBe('replace');
    expect(f.controller.expectations.get(key)).toEqual({ add: 2, del: 0 });
    expect(statusWrite(f)).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 0, numberUnavailable: 2, observedGeneration: 1 });
  });

  it('creates only on nodes matching nodeSelector', async () => {
    const f = daemonSetFixture();
    f.daemonSets(daemonSet('agent', { nodeSelector: { role: 'edge' } }));
    f.nodes(node('n1', { labels: { role: 'edge' } }), node('n2'), node('n3', { labels: { role: 'edge' } }));
    await f.controller.sync(key);
    expect(f.created().map((p) => targetNodeName(p)).sort()).toEqual(['n1', 'n3']);
  });

  it('creates nothing more while its creations have not reached the cache', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'), node('n2'));
    await f.controller.sync(key);
    expect(f.created()).toHaveLength(2);
    f.api.clearActions();
    await f.controller.sync(key);
    expect(f.created()).toHaveLength(0);
    // The pods arrive: expectations met, nothing missing.
    f.pods(daemonPod('a', ds, 'n1'), daemonPod('b', ds, 'n2'));
    f.controller.onPodAdd(daemonPod('a', ds, 'n1'));
    f.controller.onPodAdd(daemonPod('b', ds, 'n2'));
    await f.controller.sync(key);
    expect(f.created()).toHaveLength(0);
    expect(f.deleted()).toHaveLength(0);
  });

  it('adds a pod for a node that joins and touches nothing else', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'), node('n2'), node('n3'));
    f.pods(daemonPod('a', ds, 'n1'), daemonPod('b', ds, 'n2'));
    await f.controller.sync(key);
    expect(f.created().map((p) => targetNodeName(p))).toEqual(['n3']);
    expect(f.deleted()).toEqual([]);
    expect(f.api.writes().filter((a) => a.resource === 'controllerrevisions')).toEqual([]);
  });

  it('removes the pods of a node that left: an unbound one normally, a bound one at once', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'));
    f.pods(daemonPod('a', ds, 'n1'), daemonPod('gone-bound', ds, 'n2'), daemonPod('gone-pending', ds, 'n3', { bound: false, ready: false }));
    await f.controller.sync(key);
    const deletes = f.api.writes().filter((a) => a.verb === 'delete');
    expect(deletes.map((a) => a.name).sort()).toEqual(['gone-bound', 'gone-pending']);
    expect(deletes.find((a) => a.name === 'gone-bound')?.body).toMatchObject({ gracePeriodSeconds: 0, preconditions: { uid: 'uid-gone-bound' } });
    expect(f.created()).toEqual([]);
  });

  it('evicts from a node with an untolerated NoExecute taint, keeps (as misscheduled) on a NoSchedule one', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'), node('n2', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), node('n3', { taints: [{ key: 'k', effect: 'NoExecute' }] }));
    f.pods(daemonPod('a', ds, 'n1'), daemonPod('b', ds, 'n2'), daemonPod('c', ds, 'n3'));
    await f.controller.sync(key);
    expect(f.deleted()).toEqual(['c']);
    // Status is computed from the cache as this sync saw it (c still there).
    expect(statusWrite(f)).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 2, numberReady: 1, numberAvailable: 1, numberUnavailable: 0, updatedNumberScheduled: 1 });
  });

  it('keeps the oldest of two pods on one node', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'));
    f.pods(daemonPod('newer', ds, 'n1', { created: t0 - 1000 }), daemonPod('older', ds, 'n1', { created: t0 - 5000 }));
    await f.controller.sync(key);
    expect(f.deleted()).toEqual(['newer']);
  });

  it('deletes a failed pod with an event, then backs off before deleting the next failure on that node', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'));
    f.pods(daemonPod('f1', ds, 'n1', { phase: 'Failed', ready: false }));
    await f.controller.sync(key);
    expect(f.deleted()).toEqual(['f1']);
    expect(f.recorder.events.some((e) => e.startsWith('Warning FailedDaemonPod Found failed daemon pod default/f1 on node n1'))).toBe(true);

    // The replacement failed too, straight away: within the 1 s back-off it stays, and the DaemonSet is looked at after it.
    f.removePods('f1');
    f.controller.onPodDelete(daemonPod('f1', ds, 'n1'));
    expect(f.controller.expectations.get(key)).toEqual({ add: 0, del: 0 });
    f.api.clearActions();
    const f2 = daemonPod('f2', ds, 'n1', { phase: 'Failed', ready: false });
    f.pods(f2);
    await f.controller.sync(key);
    expect(f.deleted()).toEqual([]);
    expect(f.delayed).toContainEqual({ key, delayMs: 1000 });
    // After the back-off it goes, and the next back-off is doubled.
    f.api.clock.advance(1000);
    await f.controller.sync(key);
    expect(f.deleted()).toEqual(['f2']);
    expect(f.controller.deps.backoff.get(`uid-agent/1/n1`)).toBe(2000);
  });

  it('reports status from the oldest pod per node, with observedGeneration', async () => {
    const f = daemonSetFixture();
    const old = daemonSet('agent', { image: 'agent:1' });
    const ds = daemonSet('agent', { image: 'agent:2', generation: 2, observedGeneration: 1, minReadySeconds: 30 });
    f.daemonSets(ds);
    f.revisions(revisionOf(old, 1), revisionOf(ds, 2));
    f.nodes(node('n1'), node('n2'), node('n3'), node('n4'));
    f.pods(
      daemonPod('a', ds, 'n1', { readySince: t0 - 60_000 }),
      daemonPod('b', old, 'n2', { readySince: t0 - 60_000 }),
      daemonPod('c', ds, 'n3', { readySince: t0 - 5_000 }),
      daemonPod('d', ds, 'n4', { ready: false }),
    );
    await f.controller.sync(key);
    expect(statusWrite(f)).toMatchObject({ desiredNumberScheduled: 4, currentNumberScheduled: 4, numberMisscheduled: 0, numberReady: 3, numberAvailable: 2, numberUnavailable: 2, updatedNumberScheduled: 3, observedGeneration: 2 });
    // c becomes available by the clock alone: looked at again after minReadySeconds.
    expect(f.delayed).toContainEqual({ key, delayMs: 30_000 });
  });

  it('writes no status when nothing changed', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent', { status: { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, numberAvailable: 1, updatedNumberScheduled: 1, numberUnavailable: 0 } });
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'));
    f.pods(daemonPod('a', ds, 'n1'));
    await f.controller.sync(key);
    expect(f.api.writes()).toEqual([]);
  });

  it('refuses a selector that selects everything', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    ds.spec!.selector = {};
    f.daemonSets(ds);
    f.nodes(node('n1'));
    await f.controller.sync(key);
    expect(f.api.writes()).toEqual([]);
    expect(f.recorder.events.some((e) => e.startsWith('Warning SelectingAll'))).toBe(true);
  });

  it('adopts a matching orphan pod instead of creating a second one', async () => {
    const f = daemonSetFixture();
    const ds = daemonSet('agent');
    f.daemonSets(ds);
    f.revisions(revisionOf(ds));
    f.nodes(node('n1'));
    const orphan: Pod = daemonPod('orphan', ds, 'n1');
    delete orphan.metadata!.ownerReferences;
    f.pods(orphan);
    await f.controller.sync(key);
    expect(f.api.summary()).toContain('patch pods default/orphan');
    expect(f.created()).toEqual([]);
  });
});

describe('syncDaemonSet: history', () => {
  it('renumbers an old revision that matches the template again instead of creating one', async () => {
    const f = daemonSetFixture();
    const v1 = daemonSet('agent', { image: 'agent:1' });
    const v2 = daemonSet('agent', { image: 'agent:2' });
    const back = daemonSet('agent', { image: 'agent:1', generation: 3 });
    f.daemonSets(back);
    f.revisions(revisionOf(v1, 1), revisionOf(v2, 2));
    f.nodes(node('n1'));
    f.pods(daemonPod('a', v2, 'n1'));
    await f.controller.sync(key);
    const update = f.api.writes().find((a) => a.verb === 'update' && a.resource === 'controllerrevisions');
    expect(update?.name).toBe(`agent-${hashOf(v1)}`);
    expect((update?.body as ControllerRevision).revision).toBe(3);
    expect(f.api.writes().filter((a) => a.verb === 'create' && a.resource === 'controllerrevisions')).toEqual([]);
  });

  it('keeps revisionHistoryLimit old revisions, oldest deleted first, never one a pod still runs', async () => {
    const f = daemonSetFixture();
    const versions = [1, 2, 3, 4].map((i) => daemonSet('agent', { image: `agent:${i}` }));
    const ds = daemonSet('agent', { image: 'agent:5', generation: 5, revisionHistoryLimit: 1 });
    f.daemonSets(ds);
    f.revisions(...versions.map((v, i) => revisionOf(v, i + 1)), revisionOf(ds, 5));
    f.nodes(node('n1'), node('n2'));
    // A pod of revision 1 is still running (OnDelete-like leftover): its revision stays.
    f.pods(daemonPod('a', versions[0]!, 'n1'), daemonPod('b', ds, 'n2', { ready: false }));
    await f.controller.sync(key);
    const deleted = f.api.writes().filter((a) => a.verb === 'delete' && a.resource === 'controllerrevisions').map((a) => a.name);
    // Four old revisions, limit 1: three go, the oldest (live) one is skipped.
    expect(deleted).toEqual([2, 3, 4].map((i) => `agent-${hashOf(versions[i - 1]!)}`));
  });
});
