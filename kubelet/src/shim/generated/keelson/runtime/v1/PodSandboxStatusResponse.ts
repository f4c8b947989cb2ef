// Original file: proto/runtime.proto

import type { PodSandboxStatus as _keelson_runtime_v1_PodSandboxStatus, PodSandboxStatus__Output as _keelson_runtime_v1_PodSandboxStatus__Output } from '../../../keelson/runtime/v1/PodSandboxStatus';

export interface PodSandboxStatusResponse {
  'status'?: (_keelson_runtime_v1_PodSandboxStatus | null);
  'info'?: ({[key: string]: string});
}

export interface PodSandboxStatusResponse__Output {
  'status': (_keelson_runtime_v1_PodSandboxStatus__Output | null);
  'info': ({[key: string]: string});
}
