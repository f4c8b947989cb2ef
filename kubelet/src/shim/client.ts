// The kubelet's side of the runtime API: promise-returning calls over the shim's unix socket, errors as RuntimeError.
import * as grpc from '@grpc/grpc-js';
import { fromServiceError } from './errors';
import type { ExecOutput__Output } from './generated/keelson/runtime/v1/ExecOutput';
import type { ImageServiceClient } from './generated/keelson/runtime/v1/ImageService';
import type { RuntimeServiceClient } from './generated/keelson/runtime/v1/RuntimeService';
import type { RunPodSandboxResponse__Output } from './generated/keelson/runtime/v1/RunPodSandboxResponse';
import type { ListPodSandboxResponse__Output } from './generated/keelson/runtime/v1/ListPodSandboxResponse';
import type { PodSandboxStatusResponse__Output } from './generated/keelson/runtime/v1/PodSandboxStatusResponse';
import type { CreateContainerResponse__Output } from './generated/keelson/runtime/v1/CreateContainerResponse';
import type { ContainerStatusResponse__Output } from './generated/keelson/runtime/v1/ContainerStatusResponse';
import type { ListContainersResponse__Output } from './generated/keelson/runtime/v1/ListContainersResponse';
import type { ContainerStatsResponse__Output } from './generated/keelson/runtime/v1/ContainerStatsResponse';
import type { ListContainerStatsResponse__Output } from './generated/keelson/runtime/v1/ListContainerStatsResponse';
import type { ExecSyncResponse__Output } from './generated/keelson/runtime/v1/ExecSyncResponse';
import type { ListImagesResponse__Output } from './generated/keelson/runtime/v1/ListImagesResponse';
import type { ImageStatusResponse__Output } from './generated/keelson/runtime/v1/ImageStatusResponse';
import type { PullImageResponse__Output } from './generated/keelson/runtime/v1/PullImageResponse';
import type { ImportImageResponse__Output } from './generated/keelson/runtime/v1/ImportImageResponse';
import type { VersionResponse__Output } from './generated/keelson/runtime/v1/VersionResponse';
import type { StatusResponse__Output } from './generated/keelson/runtime/v1/StatusResponse';
import { runtimeProto } from './proto';
import type {
  AuthConfigInput,
  ContainerConfigInput,
  ContainerFilterInput,
  ContainerOutput,
  ContainerStatsFilterInput,
  ContainerStatsOutput,
  ContainerStatusOutput,
  ImageOutput,
  PodSandboxConfigInput,
  PodSandboxFilterInput,
  PodSandboxOutput,
  PodSandboxStatusOutput,
} from './types';

type Callback<T> = (e: grpc.ServiceError | null, value?: T) => void;

export interface ExecStreamOptions {
  containerId: string;
  cmd: string[];
  tty?: boolean;
  /** Sent as the command's stdin; the stream's end closes it. */
  stdin?: AsyncIterable<Buffer | string>;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface ExecStream {
  /** Resolves with the command's exit code. */
  readonly exitCode: Promise<number>;
  resize(width: number, height: number): void;
  write(chunk: Buffer | string): void;
  closeStdin(): void;
  cancel(): void;
}

export class RuntimeClient {
  private readonly runtime: RuntimeServiceClient;
  private readonly images: ImageServiceClient;

  constructor(readonly socket: string) {
    const proto = runtimeProto();
    const target = `unix://${socket}`;
    this.runtime = new proto.RuntimeService(target, grpc.credentials.createInsecure());
    this.images = new proto.ImageService(target, grpc.credentials.createInsecure());
  }

  close(): void {
    this.runtime.close();
    this.images.close();
  }

  /** Resolves once the socket answers, or rejects after `timeoutMs`. */
  async waitReady(timeoutMs = 5000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.runtime.waitForReady(Date.now() + timeoutMs, (e) => (e ? reject(e) : resolve()));
    });
  }

  private call<T>(method: string, invoke: (cb: Callback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      invoke((e, value) => {
        if (e) reject(fromServiceError(e, method));
        else resolve(value as T);
      });
    });
  }

  version(): Promise<VersionResponse__Output> {
    return this.call<VersionResponse__Output>('Version', (cb) => this.runtime.Version({ version: 'v1' }, cb));
  }

  /** Sets the node's pod CIDR and, when given, the routes to the other nodes' pod CIDRs. */
  async updateRuntimeConfig(podCidr: string, routes?: { podCIDR: string; nodeIP: string }[]): Promise<void> {
    const networkConfig = { podCidr, ...(routes !== undefined ? { routesSet: true, routes: routes.map((r) => ({ podCidr: r.podCIDR, nodeIp: r.nodeIP })) } : {}) };
    await this.call('UpdateRuntimeConfig', (cb) => this.runtime.UpdateRuntimeConfig({ runtimeConfig: { networkConfig } }, cb));
  }

  async status(): Promise<StatusResponse__Output['status']> {
    return (await this.call<StatusResponse__Output>('Status', (cb) => this.runtime.Status({}, cb))).status;
  }

  async runPodSandbox(config: PodSandboxConfigInput): Promise<string> {
    return (await this.call<RunPodSandboxResponse__Output>('RunPodSandbox', (cb) => this.runtime.RunPodSandbox({ config }, cb))).podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call('StopPodSandbox', (cb) => this.runtime.StopPodSandbox({ podSandboxId }, cb));
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call('RemovePodSandbox', (cb) => this.runtime.RemovePodSandbox({ podSandboxId }, cb));
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatusOutput> {
    const res = await this.call<PodSandboxStatusResponse__Output>('PodSandboxStatus', (cb) => this.runtime.PodSandboxStatus({ podSandboxId }, cb));
    if (res.status === null) throw new Error(`PodSandboxStatus: no status for ${podSandboxId}`);
    return res.status;
  }

  async listPodSandbox(filter?: PodSandboxFilterInput): Promise<PodSandboxOutput[]> {
    return (await this.call<ListPodSandboxResponse__Output>('ListPodSandbox', (cb) => this.runtime.ListPodSandbox({ filter: filter ?? null }, cb))).items;
  }

  async createContainer(podSandboxId: string, config: ContainerConfigInput, sandboxConfig?: PodSandboxConfigInput): Promise<string> {
    return (await this.call<CreateContainerResponse__Output>('CreateContainer', (cb) => this.runtime.CreateContainer({ podSandboxId, config, sandboxConfig: sandboxConfig ?? null }, cb))).containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call('StartContainer', (cb) => this.runtime.StartContainer({ containerId }, cb));
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds`. */
  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.call('StopContainer', (cb) => this.runtime.StopContainer({ containerId, timeout: timeoutSeconds }, cb));
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call('RemoveContainer', (cb) => this.runtime.RemoveContainer({ containerId }, cb));
  }

  async containerStatus(containerId: string): Promise<ContainerStatusOutput> {
    const res = await this.call<ContainerStatusResponse__Output>('ContainerStatus', (cb) => this.runtime.ContainerStatus({ containerId }, cb));
    if (res.status === null) throw new Error(`ContainerStatus: no status for ${containerId}`);
    return res.status;
  }

  /** The runtime's extra facts about a container (`dir`, `cgroup`): the kubelet's attach finds the stdin fifo under `dir`. */
  async containerInfo(containerId: string): Promise<Record<string, string>> {
    return (await this.call<ContainerStatusResponse__Output>('ContainerStatus', (cb) => this.runtime.ContainerStatus({ containerId, verbose: true }, cb))).info;
  }

  async listContainers(filter?: ContainerFilterInput): Promise<ContainerOutput[]> {
    return (await this.call<ListContainersResponse__Output>('ListContainers', (cb) => this.runtime.ListContainers({ filter: filter ?? null }, cb))).containers;
  }

  async containerStats(containerId: string): Promise<ContainerStatsOutput> {
    const res = await this.call<ContainerStatsResponse__Output>('ContainerStats', (cb) => this.runtime.ContainerStats({ containerId }, cb));
    if (res.stats === null) throw new Error(`ContainerStats: no stats for ${containerId}`);
    return res.stats;
  }

  async listContainerStats(filter?: ContainerStatsFilterInput): Promise<ContainerStatsOutput[]> {
    return (await this.call<ListContainerStatsResponse__Output>('ListContainerStats', (cb) => this.runtime.ListContainerStats({ filter: filter ?? null }, cb))).stats;
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.call('ReopenContainerLog', (cb) => this.runtime.ReopenContainerLog({ containerId }, cb));
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds = 0): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    return this.call<ExecSyncResponse__Output>('ExecSync', (cb) => this.runtime.ExecSync({ containerId, cmd, timeout: timeoutSeconds }, cb));
  }

  /** A streaming exec: output through the callbacks, input through `write`/`stdin`, the exit code at the end. */
  exec(options: ExecStreamOptions): ExecStream {
    const call = this.runtime.Exec();
    let exit: number | undefined;
    const exitCode = new Promise<number>((resolve, reject) => {
      call.on('data', (msg: ExecOutput__Output) => {
        if (msg.output === 'stdout' && msg.stdout) options.onStdout?.(msg.stdout);
        else if (msg.output === 'stderr' && msg.stderr) options.onStderr?.(msg.stderr);
        else if (msg.output === 'exit' && msg.exit) exit = msg.exit.exitCode;
      });
      call.on('error', (e: grpc.ServiceError) => reject(fromServiceError(e, 'Exec')));
      call.on('end', () => (exit === undefined ? reject(new Error('Exec: the stream ended without an exit code')) : resolve(exit)));
    });
    exitCode.catch(() => undefined);
    const wantsStdin = options.stdin !== undefined;
    call.write({ start: { containerId: options.containerId, cmd: options.cmd, tty: options.tty ?? false, stdin: wantsStdin || (options.tty ?? false) } });
    const stream: ExecStream = {
      exitCode,
      resize: (width, height) => call.write({ resize: { width, height } }),
      write: (chunk) => call.write({ stdin: typeof chunk === 'string' ? Buffer.from(chunk) : chunk }),
      closeStdin: () => call.write({ closeStdin: true }),
      cancel: () => call.cancel(),
    };
    if (options.stdin !== undefined) {
      const source = options.stdin;
      void (async () => {
        try {
          for await (const chunk of source) stream.write(chunk);
          stream.closeStdin();
        } catch {
          call.cancel();
        }
      })();
    }
    return stream;
  }

  async listImages(image?: string): Promise<ImageOutput[]> {
    return (await this.call<ListImagesResponse__Output>('ListImages', (cb) => this.images.ListImages({ filter: image === undefined ? null : { image: { image } } }, cb))).images;
  }

  /** The image, or undefined when it is not on the node. */
  async imageStatus(image: string): Promise<ImageOutput | undefined> {
    const res = await this.call<ImageStatusResponse__Output>('ImageStatus', (cb) => this.images.ImageStatus({ image: { image } }, cb));
    return res.image ?? undefined;
  }

  async pullImage(image: string, auth?: AuthConfigInput): Promise<string> {
    return (await this.call<PullImageResponse__Output>('PullImage', (cb) => this.images.PullImage({ image: { image }, auth: auth ?? null }, cb))).imageRef;
  }

  async removeImage(image: string): Promise<void> {
    await this.call('RemoveImage', (cb) => this.images.RemoveImage({ image: { image } }, cb));
  }

  async importImage(path: string): Promise<ImageOutput[]> {
    return (await this.call<ImportImageResponse__Output>('ImportImage', (cb) => this.images.ImportImage({ path }, cb))).images;
  }
}
