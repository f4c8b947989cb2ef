// Original file: proto/runtime.proto

import type { ContainerStatsFilter as _keelson_runtime_v1_ContainerStatsFilter, ContainerStatsFilter__Output as _keelson_runtime_v1_ContainerStatsFilter__Output } from '../../../keelson/runtime/v1/ContainerStatsFilter';

export interface ListContainerStatsRequest {
  'filter'?: (_keelson_runtime_v1_ContainerStatsFilter | null);
}

export interface ListContainerStatsRequest__Output {
  'filter': (_keelson_runtime_v1_ContainerStatsFilter__Output | null);
}
