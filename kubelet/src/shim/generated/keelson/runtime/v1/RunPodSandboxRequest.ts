// Original file: proto/runtime.proto

import type { PodSandboxConfig as _keelson_runtime_v1_PodSandboxConfig, PodSandboxConfig__Output as _keelson_runtime_v1_PodSandboxConfig__Output } from '../../../keelson/runtime/v1/PodSandboxConfig';

export interface RunPodSandboxRequest {
  'config'?: (_keelson_runtime_v1_PodSandboxConfig | null);
}

export interface RunPodSandboxRequest__Output {
  'config': (_keelson_runtime_v1_PodSandboxConfig__Output | null);
}
