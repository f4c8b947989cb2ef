// Env and $(VAR) expansion as the kubelet builds them.
import type { ConfigMap, Pod, Secret } from '@keelson/api';
import { ContainerConfigError, containerEnv, expand, type EnvSources } from './env';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'web' } },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }] },
  status: { podIP: '10.42.0.9' },
};

const sources = (cms: Record<string, ConfigMap> = {}, secrets: Record<string, Secret> = {}): EnvSources => ({
  configMap: async (_ns, name) => cms[name],
  secret: async (_ns, name) => secrets[name],
});

describe('expand', () => {
  const vars = new Map([['A', 'x'], ['B', 'y']]);
  it('replaces defined $(VAR), keeps undefined ones and unescapes $$', () => {
    expect(expand('$(A)-$(B)-$(C)', vars)).toBe('x-y-$(C)');
    expect(expand('$$(A) costs $$5', vars)).toBe('$(A) costs $5');
    expect(expand('tail $(A', vars)).toBe('tail $(A');
    expect(expand('$A', vars)).toBe('$A');
  });
});

describe('containerEnv', () => {
  it('applies envFrom first, then env in order with expansion and every valueFrom source', async () => {
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { color: 'blue', size: 'L' } };
    const s: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { pw: Buffer.from('hunter2').toString('base64') } };
    const c = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
      env: [
        { name: 'CM_size', value: 'XL' },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'URL', value: 'http://$(NODE):$(PORT)/$(APP)' },
      ],
    };
    const env = await containerEnv(pod, c, sources({ cm }, { s }));
    expect(Object.fromEntries(env)).toEqual({ CM_color: 'blue', CM_size: 'XL', PW: 'hunter2', NODE: 'n1', APP: 'web', MEM: '64', CPU: '250', URL: 'http://n1:$(PORT)/web' });
  });

  it('refuses missing sources and keys unless optional, with the kubelet\'s messages', async () => {
    await expect(containerEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, sources())).rejects.toThrow(new ContainerConfigError('configmap "nope" not found'));
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: {} };
    await expect(containerEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }, sources({ cm }))).rejects.toThrow("couldn't find key k in ConfigMap ns/cm");
    const env = await containerEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }], envFrom: [{ secretRef: { name: 'gone', optional: true } }] }, sources());
    expect(env.size).toBe(0);
  });
});
