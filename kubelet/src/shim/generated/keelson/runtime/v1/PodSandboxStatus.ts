// Original file: proto/runtime.proto

import type { PodSandboxMetadata as _keelson_runtime_v1_PodSandboxMetadata, PodSandboxMetadata__Output as _keelson_runtime_v1_PodSandboxMetadata__Output } from '../../../keelson/runtime/v1/PodSandboxMetadata';
import type { PodSandboxState as _keelson_runtime_v1_PodSandboxState, PodSandboxState__Output as _keelson_runtime_v1_PodSandboxState__Output } from '../../../keelson/runtime/v1/PodSandboxState';
import type { PodSandboxNetworkStatus as _keelson_runtime_v1_PodSandboxNetworkStatus, PodSandboxNetworkStatus__Output as _keelson_runtime_v1_PodSandboxNetworkStatus__Output } from '../../../keelson/runtime/v1/PodSandboxNetworkStatus';
import type { Long } from '@grpc/proto-loader';

export interface PodSandboxStatus {
  'id'?: (string);
  'metadata'?: (_keelson_runtime_v1_PodSandboxMetadata | null);
  'state'?: (_keelson_runtime_v1_PodSandboxState);
  'createdAt'?: (number | string | Long);
  'network'?: (_keelson_runtime_v1_PodSandboxNetworkStatus | null);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
}

export interface PodSandboxStatus__Output {
  'id': (string);
  'metadata': (_keelson_runtime_v1_PodSandboxMetadata__Output | null);
  'state': (_keelson_runtime_v1_PodSandboxState__Output);
  'createdAt': (string);
  'network': (_keelson_runtime_v1_PodSandboxNetworkStatus__Output | null);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
}
