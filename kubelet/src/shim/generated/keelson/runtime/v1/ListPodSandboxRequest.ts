// Original file: proto/runtime.proto

import type { PodSandboxFilter as _keelson_runtime_v1_PodSandboxFilter, PodSandboxFilter__Output as _keelson_runtime_v1_PodSandboxFilter__Output } from '../../../keelson/runtime/v1/PodSandboxFilter';

export interface ListPodSandboxRequest {
  'filter'?: (_keelson_runtime_v1_PodSandboxFilter | null);
}

export interface ListPodSandboxRequest__Output {
  'filter': (_keelson_runtime_v1_PodSandboxFilter__Output | null);
}
