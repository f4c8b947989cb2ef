// Original file: proto/runtime.proto

import type { RuntimeConfig as _keelson_runtime_v1_RuntimeConfig, RuntimeConfig__Output as _keelson_runtime_v1_RuntimeConfig__Output } from '../../../keelson/runtime/v1/RuntimeConfig';

export interface UpdateRuntimeConfigRequest {
  'runtimeConfig'?: (_keelson_runtime_v1_RuntimeConfig | null);
}

export interface UpdateRuntimeConfigRequest__Output {
  'runtimeConfig': (_keelson_runtime_v1_RuntimeConfig__Output | null);
}
