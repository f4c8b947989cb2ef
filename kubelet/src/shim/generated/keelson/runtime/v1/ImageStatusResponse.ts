// Original file: proto/runtime.proto

import type { Image as _keelson_runtime_v1_Image, Image__Output as _keelson_runtime_v1_Image__Output } from '../../../keelson/runtime/v1/Image';

export interface ImageStatusResponse {
  'image'?: (_keelson_runtime_v1_Image | null);
}

export interface ImageStatusResponse__Output {
  'image': (_keelson_runtime_v1_Image__Output | null);
}
