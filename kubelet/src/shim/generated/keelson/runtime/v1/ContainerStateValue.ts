// Original file: proto/runtime.proto

import type { ContainerState as _keelson_runtime_v1_ContainerState, ContainerState__Output as _keelson_runtime_v1_ContainerState__Output } from '../../../keelson/runtime/v1/ContainerState';

export interface ContainerStateValue {
  'state'?: (_keelson_runtime_v1_ContainerState);
}

export interface ContainerStateValue__Output {
  'state': (_keelson_runtime_v1_ContainerState__Output);
}
