// Original file: proto/runtime.proto

import type { NetworkConfig as _keelson_runtime_v1_NetworkConfig, NetworkConfig__Output as _keelson_runtime_v1_NetworkConfig__Output } from '../../../keelson/runtime/v1/NetworkConfig';

export interface RuntimeConfig {
  'networkConfig'?: (_keelson_runtime_v1_NetworkConfig | null);
}

export interface RuntimeConfig__Output {
  'networkConfig': (_keelson_runtime_v1_NetworkConfig__Output | null);
}
