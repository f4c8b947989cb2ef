// Node IPAM over fake caches: new Nodes get distinct pod CIDRs, existing ones are kept and rebuilt, deleted ones freed, exhaustion reported.
import { InternalError, type Node } from '@keelson/api';
import { FakeEventRecorder } from '@keelson/client';
import { FakeApi, fakeInformers, seed } from '../testing/fakeapi';
import { quietLogger } from '../testing/fixtures';
import { ControllerManagerConfigError, completeConfig } from '../options';
import { NodeIpamController } from './controller';

function node(name: string, podCIDR?: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: '1' }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} };
}

function fixture(clusterCidr = '10.42.0.0/16', mask = 24) {
  const api = new FakeApi();
  const nodes = fakeInformers(api).forKind('v1', 'Node');
  const recorder = new FakeEventRecorder();
  const c = new NodeIpamController({ client: api.client, nodes, recorder, logger: quietLogger, clock: api.clock, clusterCidr, nodeCidrMaskSize: mask });
  const add = (...ns: Node[]): void => {
    seed(nodes, ...ns);
    api.seed(...ns);
  };
  const remove = (name: string): void => {
    nodes.indexer.delete(name);
  };
  const assigned = (): Record<string, string> =>
    Object.fromEntries(api.writes().filter((a) => a.verb === 'patch').map((a) => [a.name ?? '', (a.body as Node).spec?.podCIDR ?? '']));
  return { api, c, recorder, add, remove, assigned };
}

describe('nodeipam', () => {
  it('gives new Nodes distinct pod CIDRs (podCIDR and podCIDRs), keeping those already taken', async () => {
    const f = fixture();
    f.add(node('a'), node('b'), node('old', '10.42.0.0/24'));
    await f.c.sync('a');
    await f.c.sync('b');
    await f.c.sync('old');
    expect(f.assigned()).toEqual({ a: '10.42.1.0/24', b: '10.42.2.0/24' });
    expect(f.api.writes()[0]).toMatchObject({ verb: 'patch', resource: 'nodes', patchType: 'merge', body: { spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] } } });
  });

  it('offers the same CIDR again when its patch has not been seen yet, never a second one', async () => {
    const f = fixture();
    f.add(node('a'));
    await f.c.sync('a');
    await f.c.sync('a');
    expect(f.api.writes().map((a) => (a.body as Node).spec?.podCIDR)).toEqual(['10.42.0.0/24', '10.42.0.0/24']);
    expect(f.c.cidrs.allocatedCount()).toBe(1);
  });

  it('frees the CIDR of a deleted Node, handing it out again only after the others', async () => {
    const f = fixture('10.42.0.0/23', 24);
    f.add(node('a', '10.42.0.0/24'), node('b', '10.42.1.0/24'));
    await f.c.sync('a');
    f.remove('a');
    await f.c.sync('a');
    expect(f.c.cidrs.allocatedCount()).toBe(1);
    f.add(node('c'));
    await f.c.sync('c');
    expect(f.assigned()).toEqual({ c: '10.42.0.0/24' });
  });

  it('reports CIDRNotAvailable on the Node and retries when the cluster CIDR is full', async () => {
    const f = fixture('10.42.0.0/24', 25);
    f.add(node('a', '10.42.0.0/25'), node('b', '10.42.0.128/25'), node('c'));
    await expect(f.c.sync('c')).rejects.toThrow(/no remaining CIDRs left to allocate/);
    expect(f.recorder.events).toEqual(['Normal CIDRNotAvailable Node c status is now: CIDRNotAvailable']);
    expect(f.recorder.objects[0]).toMatchObject({ kind: 'Node', name: 'c' });
    expect(f.api.writes()).toEqual([]);
  });

  it('ignores a Node CIDR outside the cluster CIDR instead of failing', async () => {
    const f = fixture();
    f.add(node('foreign', '192.168.0.0/24'), node('a'));
    await f.c.sync('foreign');
    await f.c.sync('a');
    expect(f.assigned()).toEqual({ a: '10.42.0.0/24' });
  });

  it('frees the CIDR again when the patch fails, so a retry can take it', async () => {
    const f = fixture();
    f.api.fail('patch', 'nodes', new InternalError('boom'));
    f.add(node('a'));
    await expect(f.c.sync('a')).rejects.toThrow();
    expect(f.c.cidrs.allocatedCount()).toBe(0);
    expect(f.recorder.events[0]).toMatch(/^Warning CIDRAssignmentFailed Node a status is now: CIDRAssignmentFailed/);
  });
});

describe('node IPAM options', () => {
  it('default to 10.42.0.0/16 in /24s and refuse a mask size the cluster CIDR cannot hold', () => {
    expect(completeConfig({})).toMatchObject({ clusterCidr: '10.42.0.0/16', nodeCidrMaskSize: 24, nodeMonitorGracePeriodMs: 40_000, nodeMonitorPeriodMs: 5_000, defaultNotReadyTolerationSeconds: 300, defaultUnreachableTolerationSeconds: 300 });
    expect(() => completeConfig({ clusterCidr: '10.0.0.0/8', nodeCidrMaskSize: 30 })).toThrow(ControllerManagerConfigError);
    expect(() => completeConfig({ clusterCidr: '10.0.0.0/33' })).toThrow(/--cluster-cidr 10.0.0.0\/33/);
    expect(completeConfig({ defaultUnreachableTolerationSeconds: null }).defaultUnreachableTolerationSeconds).toBeNull();
  });
});
