// The pod worker's level-triggered sync: make the runtime match one Pod (sandbox, volumes, init then app containers,
// restarts with back-off, probes), report its status, and carry out its graceful termination.
import * as http from 'node:http';
import { isStatusError, type Container, type ContainerStatus as K8sContainerStatus, type Pod, type PodCondition, type PodStatus } from '@keelson/api';
import type { Clock, EventRecorder, RestClient } from '@keelson/client';
import type { Logger as WinstonLogger } from 'winston';
import { isRuntimeError } from '../shim/errors';
import type { RuntimeClient } from '../shim/client';
import type { ContainerOutput, ContainerStatusOutput, PodSandboxOutput } from '../shim/types';
import { Backoff } from './backoff';
import { ContainerConfigError, apiEnvSources, containerEnv, expand } from './env';
import type { ProbeManager } from './probes';
import {
  annotationContainerHash,
  annotationRestartCount,
  containerHash,
  containerResources,
  labelContainerName,
  labelPodName,
  labelPodNamespace,
  labelPodUid,
  qosClass,
  sandboxConfig,
  type DnsSettings,
} from './spec';
import { VolumeError, setUpVolumes, tearDownVolumes } from './volumes';

export interface PodSyncerOptions {
  client: RestClient;
  runtime: RuntimeClient;
  probes: ProbeManager;
  recorder: EventRecorder;
  clock: Clock;
  logger: WinstonLogger;
  nodeName: string;
  nodeIP: string;
  rootDir: string;
  dns: DnsSettings;
  nodeMemoryBytes: number;
  nodeAllocatable: Record<string, string>;
  backoffBaseMs: number;
  maxBackoffMs: number;
  /** Asks for another sync of the pod after `ms`. */
  requeueAfter: (key: string, ms: number) => void;
}

/** Why a container is waiting, kept between syncs (the runtime knows nothing of containers never created). */
interface Waiting {
  reason: string;
  message: string;
}

/** A sync that ended early and wants to be retried shortly (not an error). */
const retrySoonMs = 1000;

export type PodKey = string;

function ts(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function nanosToTime(n: string): string | undefined {
  if (n === '' || n === '0') return undefined;
  return ts(Number(BigInt(n) / 1_000_000n));
}

function nanosToMs(n: string): number {
  return n === '' || n === '0' ? 0 : Number(BigInt(n) / 1_000_000n);
}

const containerIdPrefix = 'keelson://';

/** One pod's view of the runtime: its sandboxes (newest first) and containers by name (newest attempt first). */
interface RuntimePod {
  sandboxes: PodSandboxOutput[];
  containers: Map<string, ContainerOutput[]>;
}

export class PodSyncer {
  private readonly waiting = new Map<string, Waiting>();
  private readonly restartBackoff: Backoff;
  private readonly pullBackoff: Backoff;
  /** Containers the kubelet killed on purpose (liveness failure, spec change): their next start is not backed off. */
  private readonly killedByKubelet = new Set<string>();
  /** The last status written per pod uid, to write only changes. */
  private readonly lastStatus = new Map<string, string>();

  constructor(private readonly o: PodSyncerOptions) {
    this.restartBackoff = new Backoff(o.backoffBaseMs, o.maxBackoffMs);
    this.pullBackoff = new Backoff(o.backoffBaseMs, o.maxBackoffMs);
  }

  /** The runtime state of every pod on the node, by pod uid. */
  /** The runtime's pods by uid: all of them, or those whose sandboxes and containers carry every label of `labels`. */
  async runtimePods(labels?: Record<string, string>): Promise<Map<string, RuntimePod>> {
    const [sandboxes, containers] =
      labels === undefined
        ? await Promise.all([this.o.runtime.listPodSandbox(), this.o.runtime.listContainers()])
        : await Promise.all([this.o.runtime.listPodSandbox({ labelSelector: labels }), this.o.runtime.listContainers({ labelSelector: labels })]);
    const out = new Map<string, RuntimePod>();
    const get = (uid: string): RuntimePod => {
      let p = out.get(uid);
      if (p === undefined) out.set(uid, (p = { sandboxes: [], containers: new Map() }));
      return p;
    };
    for (const s of sandboxes) get(s.labels[labelPodUid] ?? '').sandboxes.push(s);
    for (const c of containers) {
      const p = get(c.labels[labelPodUid] ?? '');
      const name = c.labels[labelContainerName] ?? c.metadata?.name ?? '';
      const list = p.containers.get(name) ?? [];
      list.push(c);
      p.containers.set(name, list);
    }
    for (const p of out.values()) {
      p.sandboxes.sort((a, b) => (BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : -1));
      for (const list of p.containers.values()) list.sort((a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0) || (BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : -1));
    }
    return out;
  }

  /** Syncs one pod; `pod` undefined means it is gone from the API: whatever of it still runs is removed. */
  async sync(key: PodKey, pod: Pod | undefined, runtimePod: RuntimePod | undefined, orphanUids: string[] = []): Promise<void> {
    for (const uid of orphanUids) await this.removeRuntimePod(uid, undefined);
    if (pod === undefined) return;
    const uid = pod.metadata?.uid ?? '';
    const rp = runtimePod ?? { sandboxes: [], containers: new Map() };
    if (pod.metadata?.deletionTimestamp !== undefined) {
      await this.terminate(pod, rp);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.stopEverything(pod, rp, 0);
      return;
    }
    await this.syncRunning(key, pod, uid, rp);
  }

  // ---------------------------------------------------------------- running

  private async syncRunning(key: PodKey, pod: Pod, uid: string, rp: RuntimePod): Promise<void> {
    const spec = pod.spec;
    if (spec === undefined) return;
    const restartPolicy = spec.restartPolicy ?? 'Always';
    let sandbox = rp.sandboxes.find((s) => s.state === 'SANDBOX_READY');
    const statuses = await this.containerStatuses(rp);

    // A terminal pod (every container done and none to restart) keeps its final status and releases its sandbox.
    const terminal = this.terminalPhase(pod, statuses);
    if (terminal !== undefined) {
      await this.writeStatus(pod, rp, statuses, undefined, terminal);
      await this.stopEverything(pod, rp, 0);
      return;
    }

    if (sandbox === undefined) {
      // A lost sandbox takes its containers with it; a new one means every container starts again.
      for (const s of rp.sandboxes) await this.o.runtime.stopPodSandbox(s.id);
      try {
        const id = await this.o.runtime.runPodSandbox(sandboxConfig(pod, rp.sandboxes.length, this.o.rootDir, this.o.dns));
        const st = await this.o.runtime.podSandboxStatus(id);
        sandbox = { id, metadata: st.metadata, state: st.state, createdAt: st.createdAt, labels: st.labels, annotations: st.annotations };
        rp.sandboxes.unshift(sandbox);
      } catch (e: unknown) {
        this.o.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
        await this.writeStatus(pod, rp, statuses, undefined);
        throw e;
      }
    }
    const sandboxStatus = await this.o.runtime.podSandboxStatus(sandbox.id);
    const podIP = sandboxStatus.network?.ip ?? '';

    let volumes: Map<string, string>;
    try {
      volumes = await setUpVolumes({ client: this.o.client, rootDir: this.o.rootDir, nodeName: this.o.nodeName }, pod);
    } catch (e: unknown) {
      if (!(e instanceof VolumeError)) throw e;
      this.o.recorder.event(pod, 'Warning', 'FailedMount', e.message);
      for (const c of spec.containers) this.waiting.set(`${uid}/${c.name}`, { reason: 'ContainerCreating', message: '' });
      await this.writeStatus(pod, rp, statuses, sandboxStatus);
      this.o.requeueAfter(key, 2000);
      return;
    }

    // Containers of an older sandbox are of no use in this one.
    const current = (name: string): ContainerOutput[] => (rp.containers.get(name) ?? []).filter((c) => c.podSandboxId === sandbox.id);
    let wakeAfter: number | undefined;
    const wake = (ms: number): void => {
      wakeAfter = wakeAfter === undefined ? ms : Math.min(wakeAfter, ms);
    };

    // Init containers, in order, each to successful completion.
    let initDone = true;
    for (const c of spec.initContainers ?? []) {
      const list = current(c.name);
      const latest = list[0];
      const st = latest !== undefined ? statuses.get(latest.id) : undefined;
      if (latest !== undefined && st?.state === 'CONTAINER_EXITED' && st.exitCode === 0) continue;
      initDone = false;
      if (latest !== undefined && (st?.state === 'CONTAINER_RUNNING' || st?.state === 'CONTAINER_CREATED')) break;
      if (latest !== undefined && st?.state === 'CONTAINER_EXITED' && restartPolicy === 'Never') break; // the pod fails (terminalPhase)
      const w = await this.maybeStart(pod, c, list, statuses, sandbox.id, podIP, volumes, true);
      if (w !== undefined) wake(w);
      break;
    }

    if (initDone) {
      for (const c of spec.containers) {
        const list = current(c.name);
        const latest = list[0];
        const st = latest !== undefined ? statuses.get(latest.id) : undefined;
        if (latest !== undefined && st?.state === 'CONTAINER_RUNNING') {
          const hashChanged = latest.annotations[annotationContainerHash] !== containerHash(c);
          const liveness = this.o.probes.result(uid, c.name, 'liveness') === 'failure' || this.o.probes.result(uid, c.name, 'startup') === 'failure';
          if (hashChanged || liveness) {
            const why = hashChanged ? 'Container spec changed, will be restarted' : `Container ${c.name} failed liveness probe, will be restarted`;
            this.o.recorder.event(pod, 'Normal', 'Killing', why);
            this.killedByKubelet.add(latest.id);
            this.o.probes.stopContainer(uid, c.name);
            await this.killContainer(pod, c, latest.id, spec.terminationGracePeriodSeconds ?? 30);
            statuses.set(latest.id, await this.o.runtime.containerStatus(latest.id));
            wake(0);
          } else {
            this.o.probes.ensure(pod, c, latest.id, () => ({ podIP, containerId: latest.id, exec: (id, cmd, t) => this.execCode(id, cmd, t) }));
          }
          continue;
        }
        if (latest !== undefined && st?.state === 'CONTAINER_CREATED') continue;
        if (latest !== undefined && st?.state === 'CONTAINER_EXITED') {
          this.o.probes.stopContainer(uid, c.name);
          const restart = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && st.exitCode !== 0) || this.killedByKubelet.has(latest.id);
          if (!restart) continue;
        }
        const w = await this.maybeStart(pod, c, list, statuses, sandbox.id, podIP, volumes, false);
        if (w !== undefined) wake(w);
      }
    }

    const fresh = await this.runtimePods({ [labelPodUid]: uid });
    const freshPod = fresh.get(uid) ?? rp;
    await this.writeStatus(pod, freshPod, await this.containerStatuses(freshPod), sandboxStatus);
    if (wakeAfter !== undefined) this.o.requeueAfter(key, wakeAfter);
  }

  /** Starts the container's next attempt unless its back-off says wait; returns the wait (ms) if any. */
  private async maybeStart(
    pod: Pod,
    c: Container,
    list: ContainerOutput[],
    statuses: Map<string, ContainerStatusOutput>,
    sandboxId: string,
    podIP: string,
    volumes: Map<string, string>,
    init: boolean,
  ): Promise<number | undefined> {
    const uid = pod.metadata?.uid ?? '';
    const key = `${uid}/${c.name}`;
    const latest = list[0];
    const now = this.o.clock.now();
    if (latest !== undefined) {
      const st = statuses.get(latest.id);
      const finished = nanosToMs(st?.finishedAt ?? '0');
      const started = nanosToMs(st?.startedAt ?? '0');
      if (started > 0 && finished - started >= this.restartBackoff.resetAfterMs) this.restartBackoff.reset(key);
      if (!this.killedByKubelet.has(latest.id)) {
        const wait = this.restartBackoff.remaining(key, finished, now);
        if (wait > 0) {
          this.waiting.set(key, { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(this.restartBackoff.delayOf(key) / 1000)}s restarting failed container=${c.name} pod=${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${uid})` });
          return wait;
        }
        this.restartBackoff.next(key, finished);
      }
    }
    const attempt = latest === undefined ? 0 : (latest.metadata?.attempt ?? 0) + 1;

    // The image, by pull policy.
    const image = c.image ?? '';
    const policy = c.imagePullPolicy ?? (/:latest$|^[^:@]*$/.test(image.split('/').pop() ?? '') ? 'Always' : 'IfNotPresent');
    const pullKey = `pull/${key}`;
    try {
      const present = await this.o.runtime.imageStatus(image);
      if (policy === 'Never' && present === undefined) {
        this.waiting.set(key, { reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` });
        this.o.recorder.event(pod, 'Warning', 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
        return undefined;
      }
      if (policy === 'Always' || present === undefined) {
        const wait = this.pullBackoff.remaining(pullKey, this.lastPullFailure.get(pullKey) ?? 0, now);
        if (wait > 0) {
          this.waiting.set(key, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
          return wait;
        }
        try {
          this.o.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
          await this.o.runtime.pullImage(image);
          this.pullBackoff.reset(pullKey);
          this.o.recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}"`);
        } catch (e: unknown) {
          // An image already here is good enough when the registry cannot be reached (Always on an offline node).
          if (present !== undefined) {
            this.o.recorder.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${(e as Error).message}; using the image already present`);
          } else {
            this.lastPullFailure.set(pullKey, now);
            this.pullBackoff.next(pullKey, now);
            const message = `Failed to pull image "${image}": ${(e as Error).message}`;
            this.waiting.set(key, { reason: 'ErrImagePull', message });
            this.o.recorder.event(pod, 'Warning', 'Failed', message);
            return this.pullBackoff.delayOf(pullKey);
          }
        }
      }
    } catch (e: unknown) {
      this.waiting.set(key, { reason: 'ErrImagePull', message: (e as Error).message });
      return retrySoonMs;
    }

    // Environment, command and mounts.
    let env: Map<string, string>;
    try {
      env = await containerEnv(pod, c, apiEnvSources(this.o.client), this.o.nodeAllocatable);
    } catch (e: unknown) {
      if (!(e instanceof ContainerConfigError)) throw e;
      this.waiting.set(key, { reason: 'CreateContainerConfigError', message: e.message });
      this.o.recorder.event(pod, 'Warning', 'Failed', `Error: ${e.message}`);
      return 2000;
    }
    const mounts: { containerPath: string; hostPath: string; readonly: boolean }[] = [];
    for (const m of c.volumeMounts ?? []) {
      const host = volumes.get(m.name);
      if (host === undefined) {
        this.waiting.set(key, { reason: 'CreateContainerConfigError', message: `volume "${m.name}" not found` });
        return 2000;
      }
      const sub = m.subPath ?? (m.subPathExpr !== undefined ? expand(m.subPathExpr, env) : '');
      mounts.push({ containerPath: m.mountPath, hostPath: sub !== '' ? `${host}/${sub}` : host, readonly: m.readOnly === true });
    }
    for (const m of mounts) {
      if (m.hostPath.includes('/..') || m.hostPath.endsWith('/..')) {
        this.waiting.set(key, { reason: 'CreateContainerConfigError', message: `subPath may not contain '..'` });
        return 2000;
      }
    }
    const sc = c.securityContext;
    const psc = pod.spec?.securityContext;
    const runAsUser = sc?.runAsUser ?? psc?.runAsUser;
    const runAsGroup = sc?.runAsGroup ?? psc?.runAsGroup;
    const config = {
      metadata: { name: c.name, attempt },
      image: { image },
      command: (c.command ?? []).map((s) => expand(s, env)),
      args: (c.args ?? []).map((s) => expand(s, env)),
      workingDir: c.workingDir ?? '',
      envs: [...env].map(([k, value]) => ({ key: k, value })),
      mounts,
      labels: { [labelPodName]: pod.metadata?.name ?? '', [labelPodNamespace]: pod.metadata?.namespace ?? 'default', [labelPodUid]: uid, [labelContainerName]: c.name },
      annotations: { [annotationContainerHash]: containerHash(c), [annotationRestartCount]: String(attempt) },
      logPath: `${c.name}/${attempt}.log`,
      stdin: c.stdin === true,
      stdinOnce: c.stdinOnce === true,
      tty: c.tty === true,
      linux: {
        resources: containerResources(pod, c, this.o.nodeMemoryBytes),
        securityContext: {
          capabilities: { addCapabilities: sc?.capabilities?.add ?? [], dropCapabilities: sc?.capabilities?.drop ?? [] },
          privileged: sc?.privileged === true,
          ...(runAsUser !== undefined ? { runAsUser: { value: runAsUser } } : {}),
          ...(runAsGroup !== undefined ? { runAsGroup: { value: runAsGroup } } : {}),
          supplementalGroups: psc?.supplementalGroups ?? [],
          readonlyRootfs: sc?.readOnlyRootFilesystem === true,
          allowPrivilegeEscalation: sc?.allowPrivilegeEscalation !== false,
          seccomp: { profileType: sc?.seccompProfile?.type ?? psc?.seccompProfile?.type ?? 'RuntimeDefault' },
        },
      },
    };
    let id: string;
    try {
      id = await this.o.runtime.createContainer(sandboxId, config);
    } catch (e: unknown) {
      this.waiting.set(key, { reason: 'CreateContainerError', message: (e as Error).message });
      this.o.recorder.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
      return 2000;
    }
    this.o.recorder.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
    try {
      await this.o.runtime.startContainer(id);
    } catch (e: unknown) {
      this.waiting.set(key, { reason: 'RunContainerError', message: (e as Error).message });
      this.o.recorder.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
      return this.restartBackoff.delayOf(key) || 2000;
    }
    this.waiting.delete(key);
    this.o.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    statuses.set(id, await this.o.runtime.containerStatus(id));
    if (!init && c.lifecycle?.postStart !== undefined) {
      const error = await this.runHook(c.lifecycle.postStart, c, id, podIP, 30);
      if (error !== undefined) {
        this.o.recorder.event(pod, 'Warning', 'FailedPostStartHook', error);
        this.killedByKubelet.delete(id);
        await this.o.runtime.stopContainer(id, 0);
      }
    }
    if (!init) this.o.probes.ensure(pod, c, id, () => ({ podIP, containerId: id, exec: (cid, cmd, t) => this.execCode(cid, cmd, t) }));
    return undefined;
  }

  private readonly lastPullFailure = new Map<string, number>();

  private async execCode(id: string, cmd: string[], timeoutSeconds: number): Promise<number> {
    return (await this.o.runtime.execSync(id, cmd, timeoutSeconds)).exitCode;
  }

  /** Runs a lifecycle hook; returns an error message when it failed. */
  private async runHook(hook: NonNullable<NonNullable<Container['lifecycle']>['preStop']>, c: Container, containerId: string, podIP: string, timeoutSeconds: number): Promise<string | undefined> {
    try {
      if (hook.exec) {
        const r = await this.o.runtime.execSync(containerId, hook.exec.command ?? [], timeoutSeconds);
        return r.exitCode === 0 ? undefined : `Exec lifecycle hook (${JSON.stringify(hook.exec.command ?? [])}) for Container "${c.name}" failed - error: command exited with ${r.exitCode}, message: ${r.stderr.toString()}`;
      }
      if (hook.httpGet) {
        const g = hook.httpGet;
        const port = typeof g.port === 'number' ? g.port : (c.ports?.find((p) => p.name === g.port)?.containerPort ?? Number(g.port));
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.get({ host: g.host || podIP, port, path: g.path ?? '/', timeout: timeoutSeconds * 1000 }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('timeout', () => req.destroy(new Error('timeout')));
          req.on('error', reject);
        });
        return status >= 200 && status < 400 ? undefined : `HTTP lifecycle hook (${g.path ?? '/'}) for Container "${c.name}" failed - status ${status}`;
      }
      if (hook.sleep) {
        await new Promise((r) => setTimeout(r, hook.sleep!.seconds * 1000));
        return undefined;
      }
      return undefined;
    } catch (e: unknown) {
      return `lifecycle hook for Container "${c.name}" failed: ${(e as Error).message}`;
    }
  }

  /** preStop, then SIGTERM, the remaining grace, SIGKILL. */
  private async killContainer(pod: Pod, c: Container | undefined, id: string, graceSeconds: number): Promise<void> {
    const started = this.o.clock.now();
    if (c?.lifecycle?.preStop !== undefined && graceSeconds > 0) {
      const sandboxIP = pod.status?.podIP ?? '';
      const error = await this.runHook(c.lifecycle.preStop, c, id, sandboxIP, graceSeconds);
      if (error !== undefined) this.o.recorder.event(pod, 'Warning', 'FailedPreStopHook', error);
    }
    const left = Math.max(graceSeconds > 0 ? 2 : 0, Math.ceil(graceSeconds - (this.o.clock.now() - started) / 1000));
    try {
      await this.o.runtime.stopContainer(id, left);
    } catch (e: unknown) {
      if (!isRuntimeError(e, 'NotFound')) throw e;
    }
  }

  // ---------------------------------------------------------------- status

  private async containerStatuses(rp: RuntimePod): Promise<Map<string, ContainerStatusOutput>> {
    const out = new Map<string, ContainerStatusOutput>();
    const wanted = [...rp.containers.values()].flatMap((list) => list.slice(0, 2));
    await Promise.all(
      wanted.map(async (c) => {
        try {
          out.set(c.id, await this.o.runtime.containerStatus(c.id));
        } catch (e: unknown) {
          if (!isRuntimeError(e, 'NotFound')) throw e;
        }
      }),
    );
    return out;
  }

  /** Succeeded or Failed when nothing will run again, else undefined (kubelet's getPhase for finished pods). */
  private terminalPhase(pod: Pod, statuses: Map<string, ContainerStatusOutput>): 'Succeeded' | 'Failed' | undefined {
    const spec = pod.spec;
    if (spec === undefined) return undefined;
    const restartPolicy = spec.restartPolicy ?? 'Always';
    if (restartPolicy === 'Always') return undefined;
    const latestOf = (name: string): ContainerStatusOutput | undefined => {
      let best: ContainerStatusOutput | undefined;
      for (const s of statuses.values()) if (s.metadata?.name === name && (best === undefined || (s.metadata.attempt ?? 0) > (best.metadata?.attempt ?? 0))) best = s;
      return best;
    };
    if (restartPolicy === 'Never') {
      for (const c of spec.initContainers ?? []) {
        const s = latestOf(c.name);
        if (s?.state === 'CONTAINER_EXITED' && s.exitCode !== 0) return 'Failed';
      }
    }
    let allDone = true;
    let anyFailed = false;
    for (const c of spec.containers) {
      const s = latestOf(c.name);
      if (s === undefined || s.state !== 'CONTAINER_EXITED') {
        allDone = false;
        break;
      }
      if (s.exitCode !== 0) anyFailed = true;
    }
    if (!allDone) return undefined;
    if (anyFailed) return restartPolicy === 'Never' ? 'Failed' : undefined;
    return 'Succeeded';
  }

  private k8sState(s: ContainerStatusOutput): K8sContainerStatus['state'] {
    if (s.state === 'CONTAINER_RUNNING') return { running: { startedAt: nanosToTime(s.startedAt) ?? ts(this.o.clock.now()) } };
    if (s.state === 'CONTAINER_EXITED')
      return {
        terminated: {
          exitCode: s.exitCode,
          ...(s.signal !== 0 ? { signal: s.signal } : {}),
          reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'),
          ...(s.message !== '' ? { message: s.message } : {}),
          ...(nanosToTime(s.startedAt) !== undefined ? { startedAt: nanosToTime(s.startedAt) } : {}),
          ...(nanosToTime(s.finishedAt) !== undefined ? { finishedAt: nanosToTime(s.finishedAt) } : {}),
          containerID: `${containerIdPrefix}${s.id}`,
        },
      };
    return { waiting: { reason: 'ContainerCreating' } };
  }

  private buildContainerStatus(pod: Pod, c: Container, rp: RuntimePod, statuses: Map<string, ContainerStatusOutput>, init: boolean): K8sContainerStatus {
    const uid = pod.metadata?.uid ?? '';
    const list = rp.containers.get(c.name) ?? [];
    const latest = list[0] !== undefined ? statuses.get(list[0].id) : undefined;
    const previous = list[1] !== undefined ? statuses.get(list[1].id) : undefined;
    const waiting = this.waiting.get(`${uid}/${c.name}`);
    const restartCount = latest !== undefined ? (latest.metadata?.attempt ?? 0) + (waiting !== undefined && latest.state === 'CONTAINER_EXITED' ? 0 : 0) : 0;
    let state: K8sContainerStatus['state'];
    let lastState: K8sContainerStatus['lastState'] = {};
    if (latest === undefined) {
      state = { waiting: { reason: waiting?.reason ?? 'ContainerCreating', ...(waiting?.message ? { message: waiting.message } : {}) } };
    } else if (latest.state === 'CONTAINER_EXITED' && waiting !== undefined) {
      // Exited and waiting to restart (CrashLoopBackOff): the exit becomes lastState.
      state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
      lastState = this.k8sState(latest);
    } else {
      state = this.k8sState(latest);
      if (previous !== undefined) lastState = this.k8sState(previous);
    }
    const running = latest?.state === 'CONTAINER_RUNNING';
    const startupOk = c.startupProbe === undefined || this.o.probes.result(uid, c.name, 'startup') === 'success';
    const ready = init
      ? latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0
      : running && startupOk && (c.readinessProbe === undefined ? true : this.o.probes.result(uid, c.name, 'readiness') === 'success');
    return {
      name: c.name,
      image: c.image ?? '',
      imageID: latest?.imageRef ?? '',
      ...(latest !== undefined ? { containerID: `${containerIdPrefix}${latest.id}` } : {}),
      ready: ready === true,
      restartCount,
      started: init ? false : running && startupOk,
      state,
      lastState,
    };
  }

  private async writeStatus(pod: Pod, rp: RuntimePod, statuses: Map<string, ContainerStatusOutput>, sandbox: { network?: { ip: string } | null } | undefined, terminal?: 'Succeeded' | 'Failed'): Promise<void> {
    const spec = pod.spec;
    if (spec === undefined) return;
    const now = this.o.clock.now();
    const initStatuses = (spec.initContainers ?? []).map((c) => this.buildContainerStatus(pod, c, rp, statuses, true));
    const containerStatuses = spec.containers.map((c) => this.buildContainerStatus(pod, c, rp, statuses, false));
    const initialized = initStatuses.every((s) => s.ready);
    const containersReady = containerStatuses.every((s) => s.ready);
    let phase: PodStatus['phase'] = terminal;
    if (phase === undefined) {
      const anyRunning = containerStatuses.some((s) => s.state?.running !== undefined);
      const restarting = containerStatuses.some((s) => s.state?.terminated !== undefined || (s.state?.waiting !== undefined && s.lastState?.terminated !== undefined));
      phase = initialized && (anyRunning || restarting) ? 'Running' : 'Pending';
    }
    const ip = sandbox?.network?.ip ?? pod.status?.podIP ?? '';
    const old = pod.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string): PodCondition => {
      const status = ok ? 'True' : 'False';
      const prev = old.find((c) => c.type === type);
      return {
        type,
        status,
        lastProbeTime: null as unknown as string,
        lastTransitionTime: prev !== undefined && prev.status === status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : ts(now),
        ...(!ok && reason !== undefined ? { reason } : {}),
      };
    };
    const done = phase === 'Succeeded' || phase === 'Failed';
    const ours = ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready'];
    const conditions: PodCondition[] = [
      ...old.filter((c) => !ours.includes(c.type)),
      cond('PodReadyToStartContainers', sandbox !== undefined && !done),
      cond('Initialized', initialized || done, 'ContainersNotInitialized'),
      cond('ContainersReady', containersReady && !done, done ? 'PodCompleted' : 'ContainersNotReady'),
      cond('Ready', containersReady && !done, done ? 'PodCompleted' : 'ContainersNotReady'),
    ];
    const status: PodStatus = {
      phase,
      conditions,
      hostIP: this.o.nodeIP,
      hostIPs: [{ ip: this.o.nodeIP }],
      ...(ip !== '' ? { podIP: ip, podIPs: [{ ip }] } : {}),
      startTime: pod.status?.startTime ?? ts(now),
      qosClass: qosClass(pod),
      ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
      containerStatuses,
    };
    const key = JSON.stringify({ ...status, conditions: conditions.map((c) => [c.type, c.status, c.reason]) });
    const uid = pod.metadata?.uid ?? '';
    if (this.lastStatus.get(uid) === key) return;
    try {
      const body = { ...structuredClone(pod), status };
      await this.o.client.resource('v1', 'Pod').namespace(pod.metadata?.namespace ?? 'default').updateStatus(body);
      this.lastStatus.set(uid, key);
    } catch (e: unknown) {
      // A stale copy: the next sync (the informer's update) writes again.
      if (isStatusError(e, 'Conflict') || isStatusError(e, 'NotFound')) return;
      throw e;
    }
  }

  // ---------------------------------------------------------------- termination

  private async stopEverything(pod: Pod, rp: RuntimePod, graceSeconds: number): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    this.o.probes.stopPod(uid);
    const byName = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c]));
    const running = [...rp.containers.entries()].flatMap(([name, list]) => list.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED').map((c) => ({ name, c })));
    await Promise.all(running.map(({ name, c }) => this.killContainer(pod, byName.get(name), c.id, graceSeconds)));
    for (const s of rp.sandboxes) if (s.state === 'SANDBOX_READY') await this.o.runtime.stopPodSandbox(s.id);
  }

  private async terminate(pod: Pod, rp: RuntimePod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await this.stopEverything(pod, rp, grace);
    await this.removeRuntimePod(uid, rp);
    try {
      await this.o.client
        .resource('v1', 'Pod')
        .namespace(pod.metadata?.namespace ?? 'default')
        .delete(pod.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e: unknown) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }

  /** Removes every sandbox and container of a pod uid, its volumes and kubelet state. */
  async removeRuntimePod(uid: string, rp: RuntimePod | undefined): Promise<void> {
    const pods = rp ?? (await this.runtimePods()).get(uid);
    this.o.probes.stopPod(uid);
    if (pods !== undefined) {
      for (const list of pods.containers.values()) for (const c of list) await this.o.runtime.removeContainer(c.id);
      for (const s of pods.sandboxes) await this.o.runtime.removePodSandbox(s.id);
    }
    await tearDownVolumes(this.o.rootDir, uid);
    this.lastStatus.delete(uid);
    this.restartBackoff.resetPrefix(`${uid}/`);
    this.pullBackoff.resetPrefix(`pull/${uid}/`);
    for (const k of [...this.waiting.keys()]) if (k.startsWith(`${uid}/`)) this.waiting.delete(k);
  }
}
