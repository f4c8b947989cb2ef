// The kubelet process: registers its Node, keeps its Lease, and makes the pods bound to it run through the runtime shim.
import { spawn } from 'node:child_process';
import { mkdir, open, readdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseQuantity, quantityToNumber, type Pod } from '@keelson/api';
import { EventBroadcaster, RestClient, SharedInformerFactory, WorkQueue, keyOf, runWorkers, systemClock, type EventSink } from '@keelson/client';
import type { Logger as WinstonLogger } from 'winston';
import { createLogger } from './log';
import { NodeRegistrar, nodeFacts } from './node/node';
import { completeConfig, type KubeletConfig, type KubeletOptions } from './options';
import { ProbeManager } from './pod/probes';
import { labelPodName, labelPodNamespace, labelPodUid } from './pod/spec';
import { PodSyncer } from './pod/sync';
import { startKubeletServer, type RunningKubeletServer } from './server';
import { RuntimeClient } from './shim/client';

export type KubeletLifecycle = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface RunningKubelet {
  /** Resolves once the Node is registered and pods are being synced. */
  ready: Promise<void>;
  /** Resolves after `signal` aborts and the kubelet stopped (running containers keep running in the shim). */
  done: Promise<void>;
  state(): KubeletLifecycle;
  readonly config: KubeletConfig;
  /** The runtime client (tests and the all-in-one server use it). */
  runtime(): RuntimeClient;
}

function eventSink(client: RestClient): EventSink {
  const events = client.resource('v1', 'Event');
  return {
    create: (event) => events.create(event),
    patch: (namespace, name, patch) => events.namespace(namespace).patch(name, 'merge', patch),
  };
}

/** The command that runs a shim: this package's built `shim/main.js` under the same Node. */
export function shimCommand(): string[] {
  return [process.execPath, path.resolve(__dirname, '..', 'dist', 'shim', 'main.js')];
}

/** Connects to the shim at `socket`, starting one (detached, so it outlives the kubelet) when none answers. */
export async function connectShim(config: KubeletConfig, logger: WinstonLogger, command: string[] = shimCommand()): Promise<RuntimeClient> {
  const client = new RuntimeClient(config.runtimeEndpoint);
  try {
    await client.waitReady(500);
    await client.version();
    return client;
  } catch {
    client.close();
  }
  const shimRoot = path.dirname(config.runtimeEndpoint);
  await mkdir(shimRoot, { recursive: true });
  const log = await open(path.join(shimRoot, 'shim.log'), 'a');
  const [cmd, ...args] = command;
  if (cmd === undefined) throw new Error('empty shim command');
  const child = spawn(cmd, [...args, '--root', shimRoot, '--socket', config.runtimeEndpoint, ...config.shimArgs], { detached: true, stdio: ['ignore', log.fd, log.fd] });
  child.unref();
  await log.close();
  logger.info('started runtime shim', { pid: child.pid, socket: config.runtimeEndpoint });
  const fresh = new RuntimeClient(config.runtimeEndpoint);
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fresh.waitReady(1000);
      await fresh.version();
      return fresh;
    } catch (e: unknown) {
      if (Date.now() > deadline) {
        fresh.close();
        throw new Error(`the runtime shim did not answer on ${config.runtimeEndpoint} (see ${path.join(shimRoot, 'shim.log')}): ${(e as Error).message}`, { cause: e });
      }
    }
  }
}

/** Imports every image archive in `dir` (missing dir: nothing to do), as k3s does with agent/images. */
export async function importImages(rt: RuntimeClient, dir: string, logger: WinstonLogger): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.tar')).sort();
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const images = await rt.importImage(path.join(dir, name));
      logger.info('imported images', { file: name, images: images.flatMap((i) => i.repoTags) });
    } catch (e: unknown) {
      logger.warn('image import failed', { file: name, error: (e as Error).message });
    }
  }
}

export function run(options: KubeletOptions, signal: AbortSignal): RunningKubelet {
  const config = completeConfig(options);
  const logger = config.logger ?? createLogger(config.logLevel);
  const clock = config.clock ?? systemClock;
  let lifecycle: KubeletLifecycle = 'starting';
  let runtime: RuntimeClient | undefined;
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });

  const client = config.client ?? RestClient.fromKubeconfig({ ...(config.kubeconfig !== undefined ? { kubeconfig: config.kubeconfig } : {}), userAgent: `keelson-kubelet/0.1.0 (${config.nodeName})` });
  const ownsClient = config.client === undefined;
  const factory = new SharedInformerFactory(client, { fieldSelector: { 'spec.nodeName': config.nodeName }, logger, clock });
  const pods = factory.forKind('v1', 'Pod');
  // Every Node, for the routes to other nodes' pod CIDRs (the kubelet's own pods come through the filtered factory).
  const nodeFactory = new SharedInformerFactory(client, { logger, clock });
  const nodes = nodeFactory.forKind('v1', 'Node');
  const queue = new WorkQueue<string>({ name: 'kubelet-pods', clock });
  const broadcaster = new EventBroadcaster({ sink: eventSink(client), logger, clock });
  const recorder = broadcaster.newRecorder({ component: 'kubelet', host: config.nodeName });
  const uidToKey = new Map<string, string>();

  let resolveReady: () => void = () => undefined;
  let rejectReady: (e: unknown) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);

  const done = (async () => {
    let registrar: NodeRegistrar | undefined;
    let apiServer: RunningKubeletServer | undefined;
    const probes = new ProbeManager({
      clock,
      onChange: (uid, container, kind, result, message) => {
        const key = uidToKey.get(uid);
        if (result === 'failure') {
          logger.info('probe failed', { pod: key, container, probe: kind, message });
          const pod = key !== undefined ? pods.lister.getByKey(key) : undefined;
          const probe = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;
          if (pod !== undefined) recorder.event(pod, 'Warning', 'Unhealthy', `${probe} probe failed: ${message}`);
        }
        if (key !== undefined) queue.add(key);
      },
    });
    try {
      await mkdir(config.rootDir, { recursive: true });
      runtime = await connectShim(config, logger);
      const rt = runtime;
      const version = await rt.version();
      await importImages(rt, config.imagesImportDir, logger);
      // The kubelet's API (logs, exec, attach, port-forward, stats): kubelet/src/server/, proxied to by the API server.
      apiServer = await startKubeletServer({ runtime: rt, pods: { get: (ns, name) => pods.lister.get(ns, name), list: () => pods.lister.list() }, nodeName: config.nodeName, rootDir: config.rootDir, port: config.port, bindAddress: config.bindAddress, addresses: [config.nodeIP], logger, clock });
      registrar = new NodeRegistrar({
        kubeletPort: apiServer.port,
        client,
        nodeName: config.nodeName,
        nodeIP: config.nodeIP,
        rootDir: config.rootDir,
        maxPods: config.maxPods,
        labels: config.nodeLabels,
        taints: config.registerWithTaints,
        runtimeVersion: version.runtimeVersion,
        clock,
        logger,
        readiness: async () => {
          const status = await rt.status();
          const bad = (status?.conditions ?? []).filter((c) => !c.status);
          return bad.length === 0 ? { ready: true, message: '' } : { ready: false, message: `container runtime network not ready: ${bad.map((c) => `${c.type}=false reason:${c.reason} message:${c.message}`).join('; ')}` };
        },
      });
      const node = await registrar.register();
      await registrar.renewLease();
      let podCIDR: string = node.spec?.podCIDR ?? config.podCIDR;
      if (podCIDR !== '') await rt.updateRuntimeConfig(podCIDR);
      await registrar.updateStatus(true);

      const facts = nodeFacts(config.rootDir, config.maxPods, version.runtimeVersion);
      const syncer = new PodSyncer({
        client,
        runtime: rt,
        probes,
        recorder,
        clock,
        logger,
        nodeName: config.nodeName,
        nodeIP: config.nodeIP,
        rootDir: config.rootDir,
        dns: { clusterDNS: config.clusterDNS, clusterDomain: config.clusterDomain },
        nodeMemoryBytes: quantityToNumber(parseQuantity(facts.capacity.memory ?? `${os.totalmem()}`)),
        nodeAllocatable: facts.capacity,
        backoffBaseMs: config.backoffBaseMs,
        maxBackoffMs: config.maxBackoffMs,
        requeueAfter: (key, ms) => queue.addAfter(key, ms),
      });

      pods.addEventHandler({
        onAdd: (p: Pod) => {
          uidToKey.set(p.metadata?.uid ?? '', keyOf(p));
          queue.add(keyOf(p));
        },
        onUpdate: (_o: Pod, p: Pod) => {
          uidToKey.set(p.metadata?.uid ?? '', keyOf(p));
          queue.add(keyOf(p));
        },
        onDelete: (p) => {
          const obj = 'obj' in p && p.obj !== undefined ? (p.obj) : (p as Pod);
          queue.add(keyOf(obj));
        },
      });
      factory.start(stop.signal);
      await factory.waitForCacheSync(stop.signal);

      // The PLEG: relist the runtime, wake the pods whose containers changed, and remove what belongs to no pod.
      const seen = new Map<string, string>();
      const relist = async (): Promise<void> => {
        const all = await syncer.runtimePods();
        const live = new Set(pods.lister.list().map((p) => p.metadata?.uid ?? ''));
        for (const [uid, rp] of all) {
          const sig = JSON.stringify([rp.sandboxes.map((s) => [s.id, s.state]), [...rp.containers.values()].flat().map((c) => [c.id, c.state])]);
          const key = uidToKey.get(uid) ?? `${rp.sandboxes[0]?.labels[labelPodNamespace] ?? ''}/${rp.sandboxes[0]?.labels[labelPodName] ?? ''}`;
          if (!live.has(uid)) {
            queue.add(`orphan:${uid}`);
            continue;
          }
          if (seen.get(uid) !== sig) {
            seen.set(uid, sig);
            queue.add(key);
          }
        }
        for (const uid of [...seen.keys()]) if (!all.has(uid)) seen.delete(uid);
      };

      const handle = async (key: string): Promise<void> => {
        if (key === 'network:') {
          await syncNetwork();
          return;
        }
        if (key.startsWith('orphan:')) {
          const uid = key.slice('orphan:'.length);
          if (!pods.lister.list().some((p) => p.metadata?.uid === uid)) await syncer.removeRuntimePod(uid, undefined);
          return;
        }
        const pod = pods.lister.getByKey(key);
        // Only this pod's runtime objects (by name: a pod deleted and created again has another uid), not the node's.
        const [ns = '', name = ''] = key.split('/');
        const all = await syncer.runtimePods({ [labelPodNamespace]: ns, [labelPodName]: name });
        if (pod === undefined) {
          const orphans = [...all.entries()].filter(([, rp]) => rp.sandboxes.some((s) => s.labels[labelPodNamespace] === ns && s.labels[labelPodName] === name)).map(([uid]) => uid);
          await syncer.sync(key, undefined, undefined, orphans);
          return;
        }
        const uid = pod.metadata?.uid ?? '';
        // Another pod of the same name (deleted and created again) leaves its runtime objects behind.
        const stale = [...all.entries()].filter(([u, rp]) => u !== uid && rp.sandboxes.some((s) => s.labels[labelPodUid] === u && s.labels[labelPodNamespace] === pod.metadata?.namespace && s.labels[labelPodName] === pod.metadata?.name)).map(([u]) => u);
        await syncer.sync(key, pod, all.get(uid), stale);
      };
      const workers = runWorkers(queue, config.workers, handle, { logger });

      const loops: Promise<void>[] = [];
      const every = (ms: number, fn: () => Promise<void>, what: string): void => {
        loops.push(
          (async () => {
            while (!stop.signal.aborted) {
              await new Promise<void>((resolve) => {
                const onAbort = (): void => {
                  t.cancel();
                  resolve();
                };
                const t = clock.setTimer(ms, () => {
                  stop.signal.removeEventListener('abort', onAbort);
                  resolve();
                });
                stop.signal.addEventListener('abort', onAbort, { once: true });
              });
              if (stop.signal.aborted) break;
              try {
                await fn();
              } catch (e: unknown) {
                logger.warn(`${what} failed`, { error: (e as Error).message });
              }
            }
          })(),
        );
      };
      every(config.relistMs, relist, 'relist');
      every(config.leaseRenewMs, () => registrar!.renewLease(), 'lease renewal');
      // The node's own pod CIDR (once assigned) and routes to every other node's, whenever Nodes change.
      let lastNetwork = '';
      let lastCIDR = '';
      const syncNetwork = async (): Promise<void> => {
        const self = nodes.lister.get(undefined, config.nodeName);
        const assigned = self?.spec?.podCIDR;
        if (assigned !== undefined && assigned !== '') podCIDR = assigned;
        if (podCIDR === '') return;
        const routes = nodes.lister
          .list()
          .filter((n) => n.metadata?.name !== config.nodeName && (n.spec?.podCIDR ?? '') !== '')
          .map((n) => ({ podCIDR: n.spec?.podCIDR ?? '', nodeIP: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '' }))
          .filter((r) => r.nodeIP !== '')
          .sort((a, b) => a.podCIDR.localeCompare(b.podCIDR));
        const key = JSON.stringify([podCIDR, routes]);
        if (key === lastNetwork) return;
        const firstCIDR = lastCIDR !== podCIDR;
        await rt.updateRuntimeConfig(podCIDR, routes);
        lastNetwork = key;
        lastCIDR = podCIDR;
        if (firstCIDR) await registrar!.updateStatus(true);
      };
      nodes.addEventHandler({ onAdd: () => queue.add('network:'), onUpdate: () => queue.add('network:'), onDelete: () => queue.add('network:') });
      nodeFactory.start(stop.signal);
      every(10_000, async () => {
        await registrar!.updateStatus(false, config.nodeStatusReportMs);
      }, 'node status');
      // Level-triggered healing: every pod is synced now and then even without events (ConfigMap/Secret volumes follow their sources).
      every(config.resyncMs, async () => {
        for (const p of pods.lister.list()) queue.add(keyOf(p));
      }, 'pod resync');

      lifecycle = 'running';
      logger.info('kubelet running', { node: config.nodeName, rootDir: config.rootDir, runtime: config.runtimeEndpoint });
      resolveReady();
      await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true })));
      lifecycle = 'stopping';
      queue.shutDown();
      await Promise.all([workers, ...loops]);
    } catch (e: unknown) {
      lifecycle = 'failed';
      rejectReady(e);
      throw e;
    } finally {
      probes.stopAll();
      await apiServer?.close();
      queue.shutDown();
      stop.abort();
      await broadcaster.flush().catch(() => undefined);
      broadcaster.shutdown();
      runtime?.close();
      if (ownsClient) client.close();
      if (lifecycle !== 'failed') lifecycle = 'stopped';
    }
  })();
  done.catch(() => undefined);

  return {
    ready,
    done,
    state: () => lifecycle,
    config,
    runtime: () => {
      if (runtime === undefined) throw new Error('the kubelet is not connected to a runtime yet');
      return runtime;
    },
  };
}
