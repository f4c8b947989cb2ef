// Original file: proto/runtime.proto

import type { ContainerMetadata as _keelson_runtime_v1_ContainerMetadata, ContainerMetadata__Output as _keelson_runtime_v1_ContainerMetadata__Output } from '../../../keelson/runtime/v1/ContainerMetadata';
import type { ContainerState as _keelson_runtime_v1_ContainerState, ContainerState__Output as _keelson_runtime_v1_ContainerState__Output } from '../../../keelson/runtime/v1/ContainerState';
import type { ImageSpec as _keelson_runtime_v1_ImageSpec, ImageSpec__Output as _keelson_runtime_v1_ImageSpec__Output } from '../../../keelson/runtime/v1/ImageSpec';
import type { Mount as _keelson_runtime_v1_Mount, Mount__Output as _keelson_runtime_v1_Mount__Output } from '../../../keelson/runtime/v1/Mount';
import type { Long } from '@grpc/proto-loader';

export interface ContainerStatus {
  'id'?: (string);
  'metadata'?: (_keelson_runtime_v1_ContainerMetadata | null);
  'state'?: (_keelson_runtime_v1_ContainerState);
  'createdAt'?: (number | string | Long);
  'startedAt'?: (number | string | Long);
  'finishedAt'?: (number | string | Long);
  'exitCode'?: (number);
  'image'?: (_keelson_runtime_v1_ImageSpec | null);
  'imageRef'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'mounts'?: (_keelson_runtime_v1_Mount)[];
  'logPath'?: (string);
  'signal'?: (number);
  'pid'?: (number | string | Long);
}

export interface ContainerStatus__Output {
  'id': (string);
  'metadata': (_keelson_runtime_v1_ContainerMetadata__Output | null);
  'state': (_keelson_runtime_v1_ContainerState__Output);
  'createdAt': (string);
  'startedAt': (string);
  'finishedAt': (string);
  'exitCode': (number);
  'image': (_keelson_runtime_v1_ImageSpec__Output | null);
  'imageRef': (string);
  'reason': (string);
  'message': (string);
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'mounts': (_keelson_runtime_v1_Mount__Output)[];
  'logPath': (string);
  'signal': (number);
  'pid': (string);
}
