// Original file: proto/runtime.proto

import type { ImageSpec as _keelson_runtime_v1_ImageSpec, ImageSpec__Output as _keelson_runtime_v1_ImageSpec__Output } from '../../../keelson/runtime/v1/ImageSpec';

export interface RemoveImageRequest {
  'image'?: (_keelson_runtime_v1_ImageSpec | null);
}

export interface RemoveImageRequest__Output {
  'image': (_keelson_runtime_v1_ImageSpec__Output | null);
}
