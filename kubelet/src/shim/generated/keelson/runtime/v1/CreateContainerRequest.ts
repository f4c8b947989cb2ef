// Original file: proto/runtime.proto

import type { ContainerConfig as _keelson_runtime_v1_ContainerConfig, ContainerConfig__Output as _keelson_runtime_v1_ContainerConfig__Output } from '../../../keelson/runtime/v1/ContainerConfig';
import type { PodSandboxConfig as _keelson_runtime_v1_PodSandboxConfig, PodSandboxConfig__Output as _keelson_runtime_v1_PodSandboxConfig__Output } from '../../../keelson/runtime/v1/PodSandboxConfig';

export interface CreateContainerRequest {
  'podSandboxId'?: (string);
  'config'?: (_keelson_runtime_v1_ContainerConfig | null);
  'sandboxConfig'?: (_keelson_runtime_v1_PodSandboxConfig | null);
}

export interface CreateContainerRequest__Output {
  'podSandboxId': (string);
  'config': (_keelson_runtime_v1_ContainerConfig__Output | null);
  'sandboxConfig': (_keelson_runtime_v1_PodSandboxConfig__Output | null);
}
