// Public surface of @keelson/kubelet (see README.md): the kubelet, the runtime shim and its client, and the node-level runtime pieces.
export { run, connectShim, shimCommand, type RunningKubelet, type KubeletLifecycle } from './kubelet';
export { completeConfig, defaultNodeIP, KubeletConfigError, type KubeletOptions, type KubeletConfig, type LogLevel } from './options';
export { startShim, type ShimOptions, type RunningShim } from './shim/shim';
export { RuntimeClient, type ExecStream, type ExecStreamOptions } from './shim/client';
export { RuntimeError, isRuntimeError, type RuntimeErrorReason } from './shim/errors';
export type * from './shim/types';
export { ImageStore, buildBusyboxImage, type BuildBusyboxOptions, type BuiltImage } from './images';
export { createCgroupManager, type CgroupManager } from './runtime/cgroups';
export { PodNetwork, type NodeRoute } from './runtime/network';
export { NativeHelper, defaultHelperBinary, parseCriLog, type CriLogLine } from './runtime/helper';
export { startKubeletServer, KubeletHttpError, type KubeletServerOptions, type RunningKubeletServer, type PodSource, type Summary, type PodSummary } from './server';
