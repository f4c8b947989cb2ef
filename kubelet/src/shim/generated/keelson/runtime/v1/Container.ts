// Original file: proto/runtime.proto

import type { ContainerMetadata as _keelson_runtime_v1_ContainerMetadata, ContainerMetadata__Output as _keelson_runtime_v1_ContainerMetadata__Output } from '../../../keelson/runtime/v1/ContainerMetadata';
import type { ImageSpec as _keelson_runtime_v1_ImageSpec, ImageSpec__Output as _keelson_runtime_v1_ImageSpec__Output } from '../../../keelson/runtime/v1/ImageSpec';
import type { ContainerState as _keelson_runtime_v1_ContainerState, ContainerState__Output as _keelson_runtime_v1_ContainerState__Output } from '../../../keelson/runtime/v1/ContainerState';
import type { Long } from '@grpc/proto-loader';

export interface Container {
  'id'?: (string);
  'podSandboxId'?: (string);
  'metadata'?: (_keelson_runtime_v1_ContainerMetadata | null);
  'image'?: (_keelson_runtime_v1_ImageSpec | null);
  'imageRef'?: (string);
  'state'?: (_keelson_runtime_v1_ContainerState);
  'createdAt'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
}

export interface Container__Output {
  'id': (string);
  'podSandboxId': (string);
  'metadata': (_keelson_runtime_v1_ContainerMetadata__Output | null);
  'image': (_keelson_runtime_v1_ImageSpec__Output | null);
  'imageRef': (string);
  'state': (_keelson_runtime_v1_ContainerState__Output);
  'createdAt': (string);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
}
