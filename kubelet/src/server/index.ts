// The kubelet's API server (logs, exec, attach, port-forward, stats) and the channel protocol helpers it speaks.
export { startKubeletServer, type KubeletServerOptions, type RunningKubeletServer } from './server';
export { KubeletHttpError, type PodSource } from './containers';
export { Channel, remoteCommandProtocols, portForwardProtocols, exitStatus, exitCodeOf, frame, unframe, portHeader, type ExitStatus } from './channels';
export { CriLogDecoder, streamLog, type LogOptions, type LogLine } from './logs';
export type { Summary, PodSummary, ContainerSummary, CpuStats, MemoryStats } from './stats';
