// Original file: proto/runtime.proto

import type { PodSandboxState as _keelson_runtime_v1_PodSandboxState, PodSandboxState__Output as _keelson_runtime_v1_PodSandboxState__Output } from '../../../keelson/runtime/v1/PodSandboxState';

export interface PodSandboxStateValue {
  'state'?: (_keelson_runtime_v1_PodSandboxState);
}

export interface PodSandboxStateValue__Output {
  'state': (_keelson_runtime_v1_PodSandboxState__Output);
}
