// Original file: proto/runtime.proto

import type { ImageFilter as _keelson_runtime_v1_ImageFilter, ImageFilter__Output as _keelson_runtime_v1_ImageFilter__Output } from '../../../keelson/runtime/v1/ImageFilter';

export interface ListImagesRequest {
  'filter'?: (_keelson_runtime_v1_ImageFilter | null);
}

export interface ListImagesRequest__Output {
  'filter': (_keelson_runtime_v1_ImageFilter__Output | null);
}
