// Original file: proto/runtime.proto

import type { Image as _keelson_runtime_v1_Image, Image__Output as _keelson_runtime_v1_Image__Output } from '../../../keelson/runtime/v1/Image';

export interface ListImagesResponse {
  'images'?: (_keelson_runtime_v1_Image)[];
}

export interface ListImagesResponse__Output {
  'images': (_keelson_runtime_v1_Image__Output)[];
}
