// DaemonSet event handlers: which DaemonSet keys node, pod and revision events enqueue, and how pod events move expectations.
import type { DaemonSetController } from './controller';
import { daemonPod, daemonSet, daemonSetFixture, node, revisionOf } from './fixture';

async function keys(c: DaemonSetController): Promise<string[]> {
  const out: string[] = [];
  while (c.queue.len() > 0) {
    const k = await c.queue.get();
    if (k === undefined) break;
    out.push(k);
    c.queue.done(k);
  }
  return out.sort();
}

function fixture() {
  const f = daemonSetFixture();
  const all = daemonSet('all');
  const edge = daemonSet('edge', { nodeSelector: { role: 'edge' } });
  f.daemonSets(all, edge);
  return { f, all, edge, c: f.controller };
}

describe('DaemonSet handlers', () => {
  it('a joining node enqueues the DaemonSets that should run on it', async () => {
    const { c } = fixture();
    c.onNodeAdd(node('n1'));
    expect(await keys(c)).toEqual(['default/all']);
    c.onNodeAdd(node('n2', { labels: { role: 'edge' } }));
    expect(await keys(c)).toEqual(['default/all', 'default/edge']);
  });

  it('a heartbeat changes nothing; a label or taint change enqueues the DaemonSets whose placement changed', async () => {
    const { c } = fixture();
    const before = node('n1');
    const beat = { ...structuredClone(before), metadata: { ...before.metadata, resourceVersion: '2' }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-05-01T12:00:10Z' }] } };
    c.onNodeUpdate(before, beat);
    expect(await keys(c)).toEqual([]);
    c.onNodeUpdate(before, node('n1', { labels: { role: 'edge' } }));
    expect(await keys(c)).toEqual(['default/edge']);
    c.onNodeUpdate(before, node('n1', { taints: [{ key: 'k', effect: 'NoExecute' }] }));
    expect(await keys(c)).toEqual(['default/all']);
  });

  it('a node that leaves enqueues the DaemonSets with pods for it', async () => {
    const { f, c, edge } = fixture();
    f.pods(daemonPod('edge-1', edge, 'n9'));
    c.onNodeDelete(node('n9'));
    // `all` would have run there; `edge` has a pod there.
    expect(await keys(c)).toEqual(['default/all', 'default/edge']);
  });

  it('pod events lower expectations of their DaemonSet and enqueue it', async () => {
    const { c, all } = fixture();
    c.expectations.set('default/all', 1, ['default/gone']);
    c.onPodAdd(daemonPod('new', all, 'n1'));
    expect(c.expectations.satisfied('default/all')).toBe(false);
    c.onPodDelete(daemonPod('gone', all, 'n2'));
    expect(c.expectations.satisfied('default/all')).toBe(true);
    expect(await keys(c)).toEqual(['default/all']);
  });

  it('a revision event enqueues its DaemonSet', async () => {
    const { c, all } = fixture();
    c.onRevision(revisionOf(all));
    expect(await keys(c)).toEqual(['default/all']);
  });
});
