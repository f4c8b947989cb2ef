// Options and defaults: --controllers resolution and the completed config.
import { completeConfig, enabledControllers } from './options';

describe('enabledControllers', () => {
  it('resolves *, names and -names as kube-controller-manager does', () => {
    expect(enabledControllers(['*'])).toEqual(['replicaset', 'deployment', 'garbagecollector', 'namespace', 'endpoint', 'endpointslice', 'job', 'ttl-after-finished', 'statefulset', 'cronjob', 'daemonset', 'persistentvolume-binder', 'local-path-provisioner', 'node-lifecycle', 'nodeipam']);
    expect(enabledControllers(['*', '-garbagecollector'])).not.toContain('garbagecollector');
    expect(enabledControllers(['*', '-garbagecollector'])).toHaveLength(14);
    expect(enabledControllers(['deployment,replicaset'])).toEqual(['replicaset', 'deployment']);
    expect(enabledControllers([])).toEqual([]);
  });

  it('rejects unknown controllers by name', () => {
    expect(() => enabledControllers(['*', 'replicaset-typo'])).toThrow('unknown controller "replicaset-typo"');
  });
});

describe('completeConfig', () => {
  it('fills every default once', () => {
    const c = completeConfig({});
    expect(c).toMatchObject({
      controllers: ['replicaset', 'deployment', 'garbagecollector', 'namespace', 'endpoint', 'endpointslice', 'job', 'ttl-after-finished', 'statefulset', 'cronjob', 'daemonset', 'persistentvolume-binder', 'local-path-provisioner', 'node-lifecycle', 'nodeipam'],
      leaderElect: false,
      port: 10257,
      bindAddress: '127.0.0.1',
      workers: { replicaset: 5, deployment: 5, garbagecollector: 20, namespace: 10, endpoint: 5, endpointslice: 5, job: 5, 'ttl-after-finished': 5, statefulset: 5, daemonset: 2 },
      leaderElection: { namespace: 'kube-system', name: 'kube-controller-manager', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    });
    expect(c.leaderElection.identity).toMatch(/_[0-9a-f-]{36}$/);
  });

  it('rejects a port out of range', () => {
    expect(() => completeConfig({ port: 70000 })).toThrow('port must be 0-65535');
  });
});
