// ServiceAllocator on an in-memory store: what a create/update/delete allocates, keeps and frees, and repair after loss.
import { InvalidError, type KubeObject, type Service } from '@keelson/api';
import { openMemoryStorage } from '../storage/sqlite';
import { ServiceAllocator, dropTypeDependentFields, patchAllocatedValues } from './service';

const svc = (spec: Service['spec'], name = 's'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'd' }, spec: { ports: [{ port: 80, protocol: 'TCP' }], ...spec } });

describe('ServiceAllocator', () => {
  it('uses a small /28 completely, never the network or broadcast address, then answers 422', async () => {
    const storage = openMemoryStorage();
    const a = new ServiceAllocator(storage, { serviceCIDR: '10.0.0.0/28' });
    expect(a.firstIP()).toBe('10.0.0.1');
    const ips: string[] = [];
    for (let i = 0; i < 14; i++) {
      const s = svc({});
      await a.create(s as KubeObject, false);
      ips.push(s.spec?.clusterIP ?? '');
    }
    expect(new Set(ips).size).toBe(14);
    expect(ips).not.toContain('10.0.0.0');
    expect(ips).not.toContain('10.0.0.15');
    await expect(a.create(svc({}) as KubeObject, false)).rejects.toBeInstanceOf(InvalidError);
    await storage.close();
  });

  it('gives ports of one number and two protocols the same NodePort, and a dry run allocates nothing', async () => {
    const storage = openMemoryStorage();
    const a = new ServiceAllocator(storage);
    const s = svc({ type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] });
    await a.create(s as KubeObject, false);
    expect(s.spec?.ports?.[0]?.nodePort).toBe(s.spec?.ports?.[1]?.nodePort);
    const dry = svc({ type: 'NodePort', clusterIP: '10.96.3.3', ports: [{ port: 80, nodePort: 31000 }] });
    await a.create(dry as KubeObject, true);
    expect(await a.ips.used()).not.toContain(3 * 256 + 3);
    expect(await a.nodePorts.used()).not.toContain(1000);
    await storage.close();
  });

  it('frees what an update drops only on commit, and what it took on revert', async () => {
    const storage = openMemoryStorage();
    const a = new ServiceAllocator(storage);
    const old = svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30500 }] });
    await a.create(old as KubeObject, false);
    const next = structuredClone(old);
    next.spec = { ...next.spec, type: 'ClusterIP' };
    a.prepareUpdate(old as KubeObject, next as KubeObject);
    expect(next.spec.ports?.[0]?.nodePort).toBeUndefined();
    const txn = await a.update(old as KubeObject, next as KubeObject, false);
    expect(await a.nodePorts.used()).toContain(500);
    await txn.commit();
    expect(await a.nodePorts.used()).not.toContain(500);

    const grow = structuredClone(next);
    grow.spec = { ...grow.spec, type: 'NodePort' };
    const t2 = await a.update(next as KubeObject, grow as KubeObject, false);
    const port = grow.spec.ports?.[0]?.nodePort ?? 0;
    expect(await a.nodePorts.used()).toContain(port - 30000);
    await t2.revert();
    expect(await a.nodePorts.used()).not.toContain(port - 30000);
    await storage.close();
  });

  it('keeps allocated values an update leaves out, as Kubernetes does', () => {
    const old = svc({ type: 'NodePort', clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }, { port: 81, protocol: 'TCP', nodePort: 30002 }] });
    const next = svc({ type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }, { port: 82, protocol: 'TCP' }] });
    patchAllocatedValues(old, next);
    expect(next.spec).toMatchObject({ clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ports: [{ port: 80, nodePort: 30001 }, { port: 82 }] });
    expect(next.spec?.ports?.[1]?.nodePort).toBeUndefined();
    const ext = svc({ type: 'ExternalName', externalName: 'x.example', clusterIP: '10.96.1.1' });
    dropTypeDependentFields(old, ext);
    expect(ext.spec?.clusterIP).toBeUndefined();
  });

  it('repairs lost allocations at once and frees a leak only after it has been seen three times', async () => {
    const storage = openMemoryStorage();
    const a = new ServiceAllocator(storage);
    const live = svc({ clusterIP: '10.96.9.9' });
    await a.ips.allocate(7);
    const leaks = new Map<string, number>();
    expect(await a.repair([live], leaks)).toEqual({ added: 1, freed: 0 });
    expect(await a.ips.used()).toEqual(new Set([9 * 256 + 9, 7]));
    await a.repair([live], leaks);
    expect(await a.repair([live], leaks)).toEqual({ added: 0, freed: 1 });
    expect(await a.ips.used()).toEqual(new Set([9 * 256 + 9]));
    await storage.close();
  });
});
