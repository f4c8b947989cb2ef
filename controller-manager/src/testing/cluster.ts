// Integration-test harness: a real API server, the controller-manager against it, and a simulated node agent.
import type { Deployment, Pod, ReplicaSet } from '@keelson/api';
import { startTestServer, uniqueName, type TestServer } from '@keelson/apiserver';
import { RestClient } from '@keelson/client';
import winston from 'winston';
import { run, type RunningControllerManager } from '../manager';
import type { ControllerManagerOptions } from '../options';
import { FakeNodeAgent, type FakeNodeAgentOptions } from './agent';

export interface TestCluster {
  server: TestServer;
  client: RestClient;
  manager: RunningControllerManager;
  agent: FakeNodeAgent;
  stop(): Promise<void>;
}

export function clientFor(url: string): RestClient {
  return new RestClient({ config: { server: url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' }, userAgent: 'controller-manager-test' });
}

/** A logger that writes only when KEELSON_TEST_LOG is set (to that level). */
export function testLogger(): winston.Logger {
  const level = process.env['KEELSON_TEST_LOG'];
  return winston.createLogger({
    level: level ?? 'error',
    silent: level === undefined,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** Starts the API server on `storage`, the controller-manager (every controller) and one node agent. */
export async function startCluster(storage: { uri: string; cleanup: () => void }, o: { manager?: Partial<ControllerManagerOptions>; agent?: FakeNodeAgentOptions } = {}): Promise<TestCluster> {
  const server = await startTestServer(storage.uri, storage.cleanup);
  const client = clientFor(server.url);
  const abort = new AbortController();
  const manager = run({ client: clientFor(server.url), port: 0, logger: testLogger(), namespaceRecheckMs: 300, jobBackoffBaseMs: 100, ...o.manager }, abort.signal);
  await manager.ready;
  await manager.started;
  const agent = new FakeNodeAgent(client, o.agent);
  await agent.start();
  return {
    server,
    client,
    manager,
    agent,
    stop: async () => {
      await agent.stop();
      abort.abort();
      await manager.done.catch(() => undefined);
      client.close();
      await server.stop();
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs` with the last state seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function createNamespace(client: RestClient, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await client.resource('v1', 'Namespace').create({ metadata: { name } });
  return name;
}

/** A Deployment of `replicas` pods of `image`, labelled app=<name>. */
export function deploymentOf(name: string, namespace: string, replicas: number, image: string, extra: Partial<NonNullable<Deployment['spec']>> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...extra,
    },
  };
}

/** The Deployment has rolled out its current template: observed, every replica updated and available, no old pod left. */
export async function rolledOut(client: RestClient, namespace: string, name: string): Promise<Deployment | undefined> {
  const d = await client.resource('apps/v1', 'Deployment').namespace(namespace).get(name);
  const s = d.status;
  const want = d.spec?.replicas ?? 1;
  const done =
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    s?.updatedReplicas === want &&
    s.replicas === want &&
    s.availableReplicas === want &&
    s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable') === true;
  return done ? d : undefined;
}

export async function podsIn(client: RestClient, namespace: string): Promise<Pod[]> {
  return (await client.resource('v1', 'Pod').namespace(namespace).list()).items;
}

export async function replicaSetsIn(client: RestClient, namespace: string): Promise<ReplicaSet[]> {
  return (await client.resource('apps/v1', 'ReplicaSet').namespace(namespace).list()).items;
}
