// Original file: proto/runtime.proto

import type { ContainerFilter as _keelson_runtime_v1_ContainerFilter, ContainerFilter__Output as _keelson_runtime_v1_ContainerFilter__Output } from '../../../keelson/runtime/v1/ContainerFilter';

export interface ListContainersRequest {
  'filter'?: (_keelson_runtime_v1_ContainerFilter | null);
}

export interface ListContainersRequest__Output {
  'filter': (_keelson_runtime_v1_ContainerFilter__Output | null);
}
