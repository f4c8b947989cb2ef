// Original file: proto/runtime.proto

import type { Container as _keelson_runtime_v1_Container, Container__Output as _keelson_runtime_v1_Container__Output } from '../../../keelson/runtime/v1/Container';

export interface ListContainersResponse {
  'containers'?: (_keelson_runtime_v1_Container)[];
}

export interface ListContainersResponse__Output {
  'containers': (_keelson_runtime_v1_Container__Output)[];
}
