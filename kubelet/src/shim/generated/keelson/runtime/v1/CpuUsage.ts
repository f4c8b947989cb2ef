// Original file: proto/runtime.proto

import type { UInt64Value as _keelson_runtime_v1_UInt64Value, UInt64Value__Output as _keelson_runtime_v1_UInt64Value__Output } from '../../../keelson/runtime/v1/UInt64Value';
import type { Long } from '@grpc/proto-loader';

export interface CpuUsage {
  'timestamp'?: (number | string | Long);
  'usageCoreNanoSeconds'?: (_keelson_runtime_v1_UInt64Value | null);
}

export interface CpuUsage__Output {
  'timestamp': (string);
  'usageCoreNanoSeconds': (_keelson_runtime_v1_UInt64Value__Output | null);
}
