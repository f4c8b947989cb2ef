// Original file: proto/runtime.proto

import type { Int64Value as _keelson_runtime_v1_Int64Value, Int64Value__Output as _keelson_runtime_v1_Int64Value__Output } from '../../../keelson/runtime/v1/Int64Value';
import type { Long } from '@grpc/proto-loader';

export interface Image {
  'id'?: (string);
  'repoTags'?: (string)[];
  'repoDigests'?: (string)[];
  'size'?: (number | string | Long);
  'uid'?: (_keelson_runtime_v1_Int64Value | null);
  'username'?: (string);
}

export interface Image__Output {
  'id': (string);
  'repoTags': (string)[];
  'repoDigests': (string)[];
  'size': (string);
  'uid': (_keelson_runtime_v1_Int64Value__Output | null);
  'username': (string);
}
