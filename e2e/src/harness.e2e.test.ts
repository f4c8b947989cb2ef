// End-to-end check of the harness itself: after a cluster whose processes crashed is stopped, nothing it made is left on the machine.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, pidsWithArg, proxyTable, run, until } from './harness';
import { createNamespace, helloManifest, isReady, pods } from './scenarios';

jest.setTimeout(300_000);

describe('harness', () => {
  it('removes every process, pod, cgroup, namespace, link and file of a crashed cluster', async () => {
    const c = await Cluster.start({ workers: 1 });
    const nodes = [...c.nodes.values()];
    try {
      await createNamespace(c, 'leftovers');
      await c.keelctl(['apply', '-n', 'leftovers', '-f', '-'], { input: helloManifest(2, 'x', (d) => {
        d.spec!.template.spec!.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'hello' } } }];
      }) });
      // A pod on each node, so each has containers, a pod bridge, veths and cgroups to remove.
      await until('a ready pod on each node', async () => {
        const list = await pods(c, 'leftovers', 'app=hello');
        const on = new Set(list.filter(isReady).map((p) => p.spec?.nodeName));
        return nodes.every((n) => on.has(n.name)) ? true : undefined;
      }, 120_000);
      // The worker crashes (SIGKILL of its agent and shim, cable pulled): its containers, bridge and cgroups stay behind.
      await c.killWorker('w1');
    } finally {
      await c.stop();
    }
    expect(pidsWithArg(c.dir)).toEqual([]);
    expect(existsSync(c.dir)).toBe(false);
    const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
    expect(links).not.toContain(c.network!.bridge);
    for (const n of nodes) {
      expect(links).not.toContain(`${n.bridge}:`);
      expect(readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, n.cgroupRoot)))).toEqual([]);
    }
    expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(`ke2e-${c.id}-`);
    const rules = (await run('iptables-save', [])).stdout;
    for (const n of nodes.filter((x) => x.netns === undefined)) expect(rules).not.toContain(n.bridge);
    expect((await run('nft', ['list', 'tables'])).stdout).not.toContain(proxyTable(c.id));
    expect((await run('ip', ['route', 'show'])).stdout).not.toContain(`${c.clusterCIDR.split('.').slice(0, 2).join('.')}.`);
  });
});
