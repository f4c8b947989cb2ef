// The shim's gRPC server: RuntimeService and ImageService on a unix socket, each call forwarded to a RuntimeBackend.
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { invalid, toServiceError } from './errors';
import type { ImageServiceHandlers } from './generated/keelson/runtime/v1/ImageService';
import type { RuntimeServiceHandlers } from './generated/keelson/runtime/v1/RuntimeService';
import { runtimeProto } from './proto';
import type {
  AuthConfig,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatus,
  ExecStart,
  ExecSyncResponse,
  Image,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  Container,
  VersionResponse,
} from './types';

/** One streaming exec as the backend sees it: stdin as a stream (ends on close), output writers and terminal resizes. */
export interface ExecSession {
  readonly stdin: NodeJS.ReadableStream | undefined;
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** Called with every resize the client sends (tty sessions). */
  onResize(listener: (width: number, height: number) => void): void;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
}

/** What the shim does; the gRPC layer only translates. Implemented by Runtime. */
export interface RuntimeCondition {
  type: 'RuntimeReady' | 'NetworkReady';
  status: boolean;
  reason: string;
  message: string;
}

export interface RuntimeBackend {
  version(): VersionResponse;
  updateRuntimeConfig(podCIDR: string, routes?: { podCIDR: string; nodeIP: string }[]): Promise<void>;
  status(): Promise<RuntimeCondition[]>;
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<{ status: PodSandboxStatus; info: Record<string, string> }>;
  listPodSandbox(filter: PodSandboxFilter | null): Promise<PodSandbox[]>;
  createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig | null): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<{ status: ContainerStatus; info: Record<string, string> }>;
  listContainers(filter: ContainerFilter | null): Promise<Container[]>;
  containerStats(id: string): Promise<ContainerStats>;
  listContainerStats(filter: ContainerStatsFilter | null): Promise<ContainerStats[]>;
  reopenContainerLog(id: string): Promise<void>;
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse>;
  /** Runs `start.cmd` in the container; resolves with its exit code. */
  exec(start: ExecStart, session: ExecSession): Promise<number>;
  listImages(ref: string | undefined): Promise<Image[]>;
  imageStatus(ref: string): Promise<Image | undefined>;
  pullImage(ref: string, auth: AuthConfig | null): Promise<string>;
  removeImage(ref: string): Promise<void>;
  importImage(file: string): Promise<Image[]>;
}

/** Wraps an async backend call as a unary handler: result or a typed error, never an unhandled rejection. */
function unary<Req, Res>(fn: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (e: unknown) => callback(toServiceError(e)),
    );
  };
}

function required(value: string, field: string): string {
  if (value === '') throw invalid(`${field} is required`);
  return value;
}

function numberOf(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

function runtimeHandlers(backend: RuntimeBackend): RuntimeServiceHandlers {
  return {
    Version: unary(async () => backend.version()),
    UpdateRuntimeConfig: unary(async (req) => {
      const net = req.runtimeConfig?.networkConfig;
      await backend.updateRuntimeConfig(net?.podCidr ?? '', net?.routesSet === true ? net.routes.map((r) => ({ podCIDR: r.podCidr, nodeIP: r.nodeIp })) : undefined);
      return {};
    }),
    Status: unary(async () => ({ status: { conditions: await backend.status() } })),
    RunPodSandbox: unary(async (req) => {
      if (req.config === null) throw invalid('config is required');
      return { podSandboxId: await backend.runPodSandbox(req.config) };
    }),
    StopPodSandbox: unary(async (req) => {
      await backend.stopPodSandbox(required(req.podSandboxId, 'pod_sandbox_id'));
      return {};
    }),
    RemovePodSandbox: unary(async (req) => {
      await backend.removePodSandbox(required(req.podSandboxId, 'pod_sandbox_id'));
      return {};
    }),
    PodSandboxStatus: unary(async (req) => backend.podSandboxStatus(required(req.podSandboxId, 'pod_sandbox_id'))),
    ListPodSandbox: unary(async (req) => ({ items: await backend.listPodSandbox(req.filter) })),
    CreateContainer: unary(async (req) => {
      if (req.config === null) throw invalid('config is required');
      return { containerId: await backend.createContainer(required(req.podSandboxId, 'pod_sandbox_id'), req.config, req.sandboxConfig) };
    }),
    StartContainer: unary(async (req) => {
      await backend.startContainer(required(req.containerId, 'container_id'));
      return {};
    }),
    StopContainer: unary(async (req) => {
      await backend.stopContainer(required(req.containerId, 'container_id'), numberOf(req.timeout));
      return {};
    }),
    RemoveContainer: unary(async (req) => {
      await backend.removeContainer(required(req.containerId, 'container_id'));
      return {};
    }),
    ContainerStatus: unary(async (req) => backend.containerStatus(required(req.containerId, 'container_id'))),
    ListContainers: unary(async (req) => ({ containers: await backend.listContainers(req.filter) })),
    ContainerStats: unary(async (req) => ({ stats: await backend.containerStats(required(req.containerId, 'container_id')) })),
    ListContainerStats: unary(async (req) => ({ stats: await backend.listContainerStats(req.filter) })),
    ReopenContainerLog: unary(async (req) => {
      await backend.reopenContainerLog(required(req.containerId, 'container_id'));
      return {};
    }),
    ExecSync: unary(async (req) => backend.execSync(required(req.containerId, 'container_id'), req.cmd, numberOf(req.timeout))),
    Exec: (call) => {
      const abort = new AbortController();
      let stdin: PassThrough | undefined;
      const resizeListeners: ((w: number, h: number) => void)[] = [];
      let started = false;
      const fail = (e: unknown): void => {
        call.emit('error', toServiceError(e));
      };
      call.on('cancelled', () => abort.abort());
      call.on('error', () => abort.abort());
      call.on('end', () => {
        stdin?.end();
        if (!started) call.end();
      });
      call.on('data', (msg: { start?: ExecStart | null; stdin?: Buffer; resize?: { width: number; height: number } | null; closeStdin?: boolean; input?: string }) => {
        if (!started) {
          if (msg.input !== 'start' || msg.start == null) {
            fail(invalid('the first Exec message must carry start'));
            return;
          }
          started = true;
          const start = msg.start;
          if (start.stdin) stdin = new PassThrough();
          const session: ExecSession = {
            stdin,
            stdout: (chunk) => call.write({ stdout: chunk }),
            stderr: (chunk) => call.write({ stderr: chunk }),
            onResize: (listener) => resizeListeners.push(listener),
            signal: abort.signal,
          };
          backend.exec(start, session).then(
            (exitCode) => {
              call.write({ exit: { exitCode } });
              call.end();
            },
            (e: unknown) => fail(e),
          );
          return;
        }
        if (msg.input === 'stdin' && msg.stdin !== undefined) stdin?.write(msg.stdin);
        else if (msg.input === 'resize' && msg.resize != null) for (const l of resizeListeners) l(msg.resize.width, msg.resize.height);
        else if (msg.input === 'closeStdin') stdin?.end();
      });
    },
  };
}

function imageHandlers(backend: RuntimeBackend): ImageServiceHandlers {
  return {
    ListImages: unary(async (req) => ({ images: await backend.listImages(req.filter?.image?.image || undefined) })),
    ImageStatus: unary(async (req) => {
      const image = await backend.imageStatus(required(req.image?.image ?? '', 'image.image'));
      return image === undefined ? {} : { image };
    }),
    PullImage: unary(async (req) => ({ imageRef: await backend.pullImage(required(req.image?.image ?? '', 'image.image'), req.auth) })),
    RemoveImage: unary(async (req) => {
      await backend.removeImage(required(req.image?.image ?? '', 'image.image'));
      return {};
    }),
    ImportImage: unary(async (req) => ({ images: await backend.importImage(required(req.path, 'path')) })),
  };
}

export interface ShimServer {
  readonly socket: string;
  /** Stops accepting calls, ends the running ones, removes the socket. */
  close(): Promise<void>;
}

/** Serves `backend` on the unix socket `socket` (a stale socket file from a previous run is replaced). */
export async function serve(backend: RuntimeBackend, socket: string): Promise<ShimServer> {
  const proto = runtimeProto();
  const server = new grpc.Server();
  server.addService(proto.RuntimeService.service, runtimeHandlers(backend));
  server.addService(proto.ImageService.service, imageHandlers(backend));
  await mkdir(path.dirname(socket), { recursive: true });
  await rm(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve()));
  });
  return {
    socket,
    close: async () => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await rm(socket, { force: true });
    },
  };
}
