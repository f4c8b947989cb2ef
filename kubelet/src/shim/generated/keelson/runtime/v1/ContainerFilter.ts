// Original file: proto/runtime.proto

import type { ContainerStateValue as _keelson_runtime_v1_ContainerStateValue, ContainerStateValue__Output as _keelson_runtime_v1_ContainerStateValue__Output } from '../../../keelson/runtime/v1/ContainerStateValue';

export interface ContainerFilter {
  'id'?: (string);
  'state'?: (_keelson_runtime_v1_ContainerStateValue | null);
  'podSandboxId'?: (string);
  'labelSelector'?: ({[key: string]: string});
}

export interface ContainerFilter__Output {
  'id': (string);
  'state': (_keelson_runtime_v1_ContainerStateValue__Output | null);
  'podSandboxId': (string);
  'labelSelector': ({[key: string]: string});
}
