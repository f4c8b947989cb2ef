// Original file: proto/runtime.proto

import type { RuntimeCondition as _keelson_runtime_v1_RuntimeCondition, RuntimeCondition__Output as _keelson_runtime_v1_RuntimeCondition__Output } from '../../../keelson/runtime/v1/RuntimeCondition';

export interface RuntimeStatus {
  'conditions'?: (_keelson_runtime_v1_RuntimeCondition)[];
}

export interface RuntimeStatus__Output {
  'conditions': (_keelson_runtime_v1_RuntimeCondition__Output)[];
}
