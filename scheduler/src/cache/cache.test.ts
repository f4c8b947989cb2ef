// The cache: assumed pods count at once, are forgotten when binding fails, confirmed (or moved) when the watch shows them bound.
import { podInfo } from '../framework/pod-info';
import { makeNode, makePod } from '../testing';
import { SchedulerCache } from './cache';

function setup() {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('n1', { cpu: '2' }));
  cache.addNode(makeNode('n2', { cpu: '2' }));
  return cache;
}

describe('SchedulerCache', () => {
  it('counts an assumed pod on its node before the binding is confirmed', () => {
    const cache = setup();
    const pod = makePod('p', { cpu: '500m' });
    cache.assumePod(podInfo(pod), 'n1');
    expect(cache.isAssumed(pod.metadata!.uid!)).toBe(true);
    expect(cache.getNode('n1')?.requested.milliCPU).toBe(500);
    expect(cache.snapshot().get('n1')?.pods.size).toBe(1);
  });

  it('forgets an assumed pod whose binding failed', () => {
    const cache = setup();
    const pod = makePod('p', { cpu: '500m' });
    cache.assumePod(podInfo(pod), 'n1');
    cache.forgetPod(pod.metadata!.uid!);
    expect(cache.getNode('n1')?.requested.milliCPU).toBe(0);
    expect(cache.hasPod(pod.metadata!.uid!)).toBe(false);
  });

  it('confirms an assumed pod when the watch shows it bound, and moves it if it landed elsewhere', () => {
    const cache = setup();
    const pod = makePod('p', { cpu: '500m' });
    cache.assumePod(podInfo(pod), 'n1');
    cache.finishBinding(pod.metadata!.uid!);
    cache.addPod({ ...pod, spec: { ...pod.spec!, nodeName: 'n2' } });
    expect(cache.isAssumed(pod.metadata!.uid!)).toBe(false);
    expect(cache.getNode('n1')?.requested.milliCPU).toBe(0);
    expect(cache.getNode('n2')?.requested.milliCPU).toBe(500);
    // Forgetting a confirmed pod (a late binding error) changes nothing.
    cache.forgetPod(pod.metadata!.uid!);
    expect(cache.getNode('n2')?.requested.milliCPU).toBe(500);
  });

  it('never counts a pod twice, however often it is added or updated', () => {
    const cache = setup();
    const pod = makePod('p', { cpu: '300m', node: 'n1' });
    cache.addPod(pod);
    cache.updatePod({ ...pod, status: { phase: 'Running' } });
    cache.updatePod({ ...pod, metadata: { ...pod.metadata, labels: { new: 'label' } } });
    expect(cache.getNode('n1')?.requested.milliCPU).toBe(300);
    expect(cache.getNode('n1')?.pods.size).toBe(1);
    expect(cache.getNode('n1')?.pods.get(pod.metadata!.uid!)?.labels).toEqual({ new: 'label' });
    cache.removePod(pod.metadata!.uid!);
    expect(cache.getNode('n1')?.requested.milliCPU).toBe(0);
  });

  it('refuses to assume a pod it already holds', () => {
    const cache = setup();
    const pod = makePod('p');
    cache.assumePod(podInfo(pod), 'n1');
    expect(() => cache.assumePod(podInfo(pod), 'n2')).toThrow(/already in the cache/);
  });

  it('keeps pods of a deleted node until they go, without offering the node to cycles', () => {
    const cache = setup();
    const pod = makePod('p', { node: 'n2', cpu: '1' });
    cache.addPod(pod);
    cache.removeNode(makeNode('n2'));
    expect(cache.snapshot().nodes.map((n) => n.name)).toEqual(['n1']);
    expect(cache.getNode('n2')?.pods.size).toBe(1);
    // The node comes back (re-registered): its pods still count.
    cache.addNode(makeNode('n2', { cpu: '2' }));
    expect(cache.snapshot().get('n2')?.requested.milliCPU).toBe(1000);
    cache.removeNode(makeNode('n2'));
    cache.removePod(pod.metadata!.uid!);
    expect(cache.getNode('n2')).toBeUndefined();
  });

  it('hands out the same snapshot until something changes', () => {
    const cache = setup();
    const a = cache.snapshot();
    expect(cache.snapshot()).toBe(a);
    cache.assumePod(podInfo(makePod('p')), 'n1');
    expect(cache.snapshot()).not.toBe(a);
  });
});
