// Public surface of the pod network module: bridge/veth/netns setup, IP allocation, hostPorts, routes, CIDR math.
export { PodNetwork, PodNetworkError, podNetworkConfig } from './network';
export type { NodeRoute, PodNetworkConfig, PodNetworkOptions, PodNetworkStatus, PortMapping } from './network';
export { IpAllocator, IpRangeExhaustedError } from './ipam';
export type { IpAllocatorOptions } from './ipam';
export { CidrParseError, Ipv4Cidr, formatIPv4, parseIPv4 } from './cidr';
export { CommandError, ExecFileRunner } from './exec';
export type { CommandResult, CommandRunner } from './exec';
