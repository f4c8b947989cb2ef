// Public surface of the pod network module: bridge/veth/netns setup, IP allocation, hostPorts, routes, CIDR math.
export { PodNetwork, PodNetworkError, podNetworkConfig } from './network';
export type { NodeRoute, PodNetworkConfig, PodNetworkOptions, PodNetworkStatus, PortMapping } from './network';
export { IpAllocator, IpRangeExhaustedError } from './ipam';
export type { IpAllocatorOptions } from './ipam';
export { CidrParseError, Ipv4Cidr, formatIPv4, parseIPv4 } from './cidr';
export { CommandError, ExecFileRunner, ServedRunner } from './exec';
export type { ArgvServer, CommandResult, CommandRunner } from './exec';
