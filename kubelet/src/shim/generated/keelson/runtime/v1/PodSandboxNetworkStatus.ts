// Original file: proto/runtime.proto

import type { PodIP as _keelson_runtime_v1_PodIP, PodIP__Output as _keelson_runtime_v1_PodIP__Output } from '../../../keelson/runtime/v1/PodIP';

export interface PodSandboxNetworkStatus {
  'ip'?: (string);
  'additionalIps'?: (_keelson_runtime_v1_PodIP)[];
}

export interface PodSandboxNetworkStatus__Output {
  'ip': (string);
  'additionalIps': (_keelson_runtime_v1_PodIP__Output)[];
}
