// Original file: proto/runtime.proto

import type { ContainerStatus as _keelson_runtime_v1_ContainerStatus, ContainerStatus__Output as _keelson_runtime_v1_ContainerStatus__Output } from '../../../keelson/runtime/v1/ContainerStatus';

export interface ContainerStatusResponse {
  'status'?: (_keelson_runtime_v1_ContainerStatus | null);
  'info'?: ({[key: string]: string});
}

export interface ContainerStatusResponse__Output {
  'status': (_keelson_runtime_v1_ContainerStatus__Output | null);
  'info': ({[key: string]: string});
}
