// The e2e harness's surface: clusters (single node or multi-node in network namespaces), keelctl, polling and process helpers.
export { Cluster, KeelctlError, REPO_ROOT, cleanupNodeSync, freePort, freeClusterOctet, proxyTable } from './cluster';
export type { ClusterOptions, NodeHandle } from './cluster';
export { TestNetwork, inNetns, usedPrefixes } from './net';
export type { NetNode } from './net';
export { CommandFailedError, run, startDaemon, until, sleep, pidsWithArg, killWithArg } from './proc';
export type { Daemon, RunOptions } from './proc';
export { ServicePoller, get } from './poller';
export type { PollResult, PollerOptions } from './poller';
