// Original file: proto/runtime.proto

import type { ContainerStats as _keelson_runtime_v1_ContainerStats, ContainerStats__Output as _keelson_runtime_v1_ContainerStats__Output } from '../../../keelson/runtime/v1/ContainerStats';

export interface ListContainerStatsResponse {
  'stats'?: (_keelson_runtime_v1_ContainerStats)[];
}

export interface ListContainerStatsResponse__Output {
  'stats': (_keelson_runtime_v1_ContainerStats__Output)[];
}
