// `keelson token create` + `keelson agent` as a user meets them: a node joins a TLS server with a join token and becomes Ready.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { buildBusyboxImage, startShim } from '@keelson/kubelet';
import { CommanderError } from 'commander';
import { JoinError, runAgent, type AgentOptions } from './agent';
import { buildProgram } from './main';
import { runServer } from './server';

/** `keelson token create --data-dir D`, in-process; its stdout. */
async function tokenCreate(args: string[]): Promise<string> {
  let out = '';
  const program = buildProgram(
    (s) => (out += s),
    () => undefined,
  );
  try {
    await program.parseAsync(['token', 'create', ...args], { from: 'user' });
  } catch (e: unknown) {
    if (!(e instanceof CommanderError)) throw e;
    throw new Error(`token create failed: ${e.message}`);
  }
  return out.trim();
}

describe('keelson agent', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-agent-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('joins with a token from `keelson token create`, verifying the CA, and runs a kubelet that reaches Ready; reuses its credentials on restart', async () => {
    const suffix = randomBytes(3).toString('hex');
    const agentRoot = join(dir, 'agent');
    await buildBusyboxImage({ out: join(dir, 'images', 'busybox.tar') });
    // The shim the kubelet would start, in-process so the test removes everything it made (unique cgroup root and bridge).
    const shim = await startShim({ root: join(agentRoot, 'shim'), cgroupRoot: `keelson-agt-${suffix}`, chainPrefix: `KT${suffix.toUpperCase()}`, bridge: `kag${suffix}`, clusterCIDR: '10.42.0.0/16' });
    // A control-plane-only server (--disable-agent): the agent brings the only node.
    const serverAbort = new AbortController();
    const server = runServer({ dataDir: join(dir, 'server'), port: 0, bindAddress: '127.0.0.1', kubeconfig: join(dir, 'admin.yaml'), logLevel: 'error', disableAgent: true }, serverAbort.signal, () => undefined);
    const agents: { abort: AbortController; done: Promise<void> }[] = [];
    try {
      await server.ready;
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(join(dir, 'admin.yaml'));
      const url = kc.getCurrentCluster()?.server ?? '';
      const core = kc.makeApiClient(k8s.CoreV1Api);

      const token = await tokenCreate(['--data-dir', join(dir, 'server'), '--ttl', '1h']);
      expect(token).toMatch(/^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
      const id = token.split('::')[1]?.split('.')[0] ?? '';
      const secret = await core.readNamespacedSecret({ name: `bootstrap-token-${id}`, namespace: 'kube-system' });
      expect(secret.type).toBe('bootstrap.kubernetes.io/token');
      expect(Buffer.from(secret.data?.['expiration'] ?? '', 'base64').toString()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const nodeName = `agent-${suffix}`;
      const options = (t: string): AgentOptions => ({
        server: url,
        token: t,
        kubelet: { nodeName, nodeIP: '127.0.0.1', rootDir: agentRoot, imagesImportDir: join(dir, 'images'), relistMs: 200, port: 0, logLevel: 'error' },
        proxy: false,
      });
      const start = async (t: string): Promise<void> => {
        const abort = new AbortController();
        const a = runAgent(options(t), abort.signal, () => undefined);
        agents.push({ abort, done: a.done });
        await a.ready;
      };

      // A token whose CA hash is not this server's: refused before any credential is sent.
      const forged = `K10${'0'.repeat(64)}::${token.split('::')[1] ?? ''}`;
      await expect(start(forged)).rejects.toThrow(JoinError);
      await expect(start(forged)).rejects.toThrow(/does not match the join token's hash/);
      // The right CA but a secret nobody created: the server refuses it.
      await expect(start(`${token.split('::')[0] ?? ''}::abcdef.0123456789abcdef`)).rejects.toThrow(/refused the join token/);

      await start(token);
      const kubeconfigFile = join(agentRoot, 'kubelet.kubeconfig');
      expect(statSync(kubeconfigFile).mode & 0o777).toBe(0o600);
      const nodeKc = new k8s.KubeConfig();
      nodeKc.loadFromFile(kubeconfigFile);
      const certData = nodeKc.getCurrentUser()?.certData ?? '';
      expect(new X509Certificate(Buffer.from(certData, 'base64')).subject).toBe(`O=system:nodes\nCN=system:node:${nodeName}`);

      const ready = async (): Promise<k8s.V1Node> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const node = await core.readNode({ name: nodeName }).catch(() => undefined);
          if (node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return node;
          if (Date.now() > deadline) throw new Error(`node ${nodeName} not Ready: ${JSON.stringify(node?.status?.conditions)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      expect((await ready()).status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
      // A pod bound to the node runs there: the kubelet reads it and writes its status with the node's credentials.
      await core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name: 'on-agent' }, spec: { nodeName, containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '1000'] }] } },
      });
      const deadline = Date.now() + 30_000;
      let phase: string | undefined;
      while (phase !== 'Running' && Date.now() < deadline) {
        phase = (await core.readNamespacedPod({ name: 'on-agent', namespace: 'default' })).status?.phase;
        if (phase !== 'Running') await new Promise((r) => setTimeout(r, 100));
      }
      expect(phase).toBe('Running');
      // The node's credentials are its own only.
      const nodeCore = nodeKc.makeApiClient(k8s.CoreV1Api);
      await expect(nodeCore.deleteNamespacedConfigMap({ name: 'x', namespace: 'default' })).rejects.toMatchObject({ code: 403 });

      // Restart with the token deleted: the agent still starts, on the credentials it already has.
      const first = agents.pop();
      first?.abort.abort();
      await first?.done;
      await core.deleteNamespacedSecret({ name: `bootstrap-token-${id}`, namespace: 'kube-system' });
      await start(token);
      expect(readFileSync(kubeconfigFile, 'utf8')).toContain(certData);
      await ready();
    } finally {
      for (const a of agents) a.abort.abort();
      await Promise.all(agents.map((a) => a.done));
      serverAbort.abort();
      await server.done;
      await shim.destroyNode().catch(() => undefined);
      await shim.close();
    }
  });
});
