// Original file: proto/runtime.proto

import type { RuntimeStatus as _keelson_runtime_v1_RuntimeStatus, RuntimeStatus__Output as _keelson_runtime_v1_RuntimeStatus__Output } from '../../../keelson/runtime/v1/RuntimeStatus';

export interface StatusResponse {
  'status'?: (_keelson_runtime_v1_RuntimeStatus | null);
  'info'?: ({[key: string]: string});
}

export interface StatusResponse__Output {
  'status': (_keelson_runtime_v1_RuntimeStatus__Output | null);
  'info': ({[key: string]: string});
}
