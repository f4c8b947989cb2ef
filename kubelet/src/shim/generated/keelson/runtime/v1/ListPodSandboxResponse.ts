// Original file: proto/runtime.proto

import type { PodSandbox as _keelson_runtime_v1_PodSandbox, PodSandbox__Output as _keelson_runtime_v1_PodSandbox__Output } from '../../../keelson/runtime/v1/PodSandbox';

export interface ListPodSandboxResponse {
  'items'?: (_keelson_runtime_v1_PodSandbox)[];
}

export interface ListPodSandboxResponse__Output {
  'items': (_keelson_runtime_v1_PodSandbox__Output)[];
}
