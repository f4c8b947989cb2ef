// Original file: proto/runtime.proto

import type { PodSandboxMetadata as _keelson_runtime_v1_PodSandboxMetadata, PodSandboxMetadata__Output as _keelson_runtime_v1_PodSandboxMetadata__Output } from '../../../keelson/runtime/v1/PodSandboxMetadata';
import type { PodSandboxState as _keelson_runtime_v1_PodSandboxState, PodSandboxState__Output as _keelson_runtime_v1_PodSandboxState__Output } from '../../../keelson/runtime/v1/PodSandboxState';
import type { Long } from '@grpc/proto-loader';

export interface PodSandbox {
  'id'?: (string);
  'metadata'?: (_keelson_runtime_v1_PodSandboxMetadata | null);
  'state'?: (_keelson_runtime_v1_PodSandboxState);
  'createdAt'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
}

export interface PodSandbox__Output {
  'id': (string);
  'metadata': (_keelson_runtime_v1_PodSandboxMetadata__Output | null);
  'state': (_keelson_runtime_v1_PodSandboxState__Output);
  'createdAt': (string);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
}
