// The API server's allocators: ClusterIPs and NodePorts for Services, persisted in storage.
export { ServiceAllocator, defaultServiceCIDR, defaultNodePortRange, parsePortRange, patchAllocatedValues, dropTypeDependentFields, serviceIPsKey, nodePortsKey, PortRangeParseError, type AllocationTxn, type ServiceAllocatorOptions } from './service';
export { RangeAllocator, RangeFullError, AlreadyAllocatedError, OutOfRangeError, RangeMismatchError, encodeOffsets, decodeOffsets, type RangeAllocation, type RangeAllocatorOptions } from './range';
export { parseCidr, parseIPv4, formatIPv4, cidrContains, CidrParseError, type Ipv4Cidr } from './ipv4';
