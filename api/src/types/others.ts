// coordination.k8s.io/v1, discovery.k8s.io/v1, autoscaling/v1 and storage.k8s.io/v1 kinds.
export type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1';
export type { EndpointSlice, Endpoint, EndpointPort as EndpointSlicePort, EndpointConditions } from 'kubernetes-types/discovery/v1';
export type { Scale, ScaleSpec, ScaleStatus } from 'kubernetes-types/autoscaling/v1';
export type { StorageClass } from 'kubernetes-types/storage/v1';
