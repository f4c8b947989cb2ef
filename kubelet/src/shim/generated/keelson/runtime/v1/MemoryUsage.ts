// Original file: proto/runtime.proto

import type { UInt64Value as _keelson_runtime_v1_UInt64Value, UInt64Value__Output as _keelson_runtime_v1_UInt64Value__Output } from '../../../keelson/runtime/v1/UInt64Value';
import type { Long } from '@grpc/proto-loader';

export interface MemoryUsage {
  'timestamp'?: (number | string | Long);
  'workingSetBytes'?: (_keelson_runtime_v1_UInt64Value | null);
  'usageBytes'?: (_keelson_runtime_v1_UInt64Value | null);
  'rssBytes'?: (_keelson_runtime_v1_UInt64Value | null);
}

export interface MemoryUsage__Output {
  'timestamp': (string);
  'workingSetBytes': (_keelson_runtime_v1_UInt64Value__Output | null);
  'usageBytes': (_keelson_runtime_v1_UInt64Value__Output | null);
  'rssBytes': (_keelson_runtime_v1_UInt64Value__Output | null);
}
