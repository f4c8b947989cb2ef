// Original file: proto/runtime.proto

import type { ContainerAttributes as _keelson_runtime_v1_ContainerAttributes, ContainerAttributes__Output as _keelson_runtime_v1_ContainerAttributes__Output } from '../../../keelson/runtime/v1/ContainerAttributes';
import type { CpuUsage as _keelson_runtime_v1_CpuUsage, CpuUsage__Output as _keelson_runtime_v1_CpuUsage__Output } from '../../../keelson/runtime/v1/CpuUsage';
import type { MemoryUsage as _keelson_runtime_v1_MemoryUsage, MemoryUsage__Output as _keelson_runtime_v1_MemoryUsage__Output } from '../../../keelson/runtime/v1/MemoryUsage';
import type { UInt64Value as _keelson_runtime_v1_UInt64Value, UInt64Value__Output as _keelson_runtime_v1_UInt64Value__Output } from '../../../keelson/runtime/v1/UInt64Value';

export interface ContainerStats {
  'attributes'?: (_keelson_runtime_v1_ContainerAttributes | null);
  'cpu'?: (_keelson_runtime_v1_CpuUsage | null);
  'memory'?: (_keelson_runtime_v1_MemoryUsage | null);
  'pids'?: (_keelson_runtime_v1_UInt64Value | null);
}

export interface ContainerStats__Output {
  'attributes': (_keelson_runtime_v1_ContainerAttributes__Output | null);
  'cpu': (_keelson_runtime_v1_CpuUsage__Output | null);
  'memory': (_keelson_runtime_v1_MemoryUsage__Output | null);
  'pids': (_keelson_runtime_v1_UInt64Value__Output | null);
}
