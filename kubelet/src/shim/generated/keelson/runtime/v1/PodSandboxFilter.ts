// Original file: proto/runtime.proto

import type { PodSandboxStateValue as _keelson_runtime_v1_PodSandboxStateValue, PodSandboxStateValue__Output as _keelson_runtime_v1_PodSandboxStateValue__Output } from '../../../keelson/runtime/v1/PodSandboxStateValue';

export interface PodSandboxFilter {
  'id'?: (string);
  'state'?: (_keelson_runtime_v1_PodSandboxStateValue | null);
  'labelSelector'?: ({[key: string]: string});
}

export interface PodSandboxFilter__Output {
  'id': (string);
  'state': (_keelson_runtime_v1_PodSandboxStateValue__Output | null);
  'labelSelector': ({[key: string]: string});
}
