// Original file: proto/runtime.proto

import type { NodeRoute as _keelson_runtime_v1_NodeRoute, NodeRoute__Output as _keelson_runtime_v1_NodeRoute__Output } from '../../../keelson/runtime/v1/NodeRoute';

export interface NetworkConfig {
  'podCidr'?: (string);
  'routes'?: (_keelson_runtime_v1_NodeRoute)[];
  'routesSet'?: (boolean);
}

export interface NetworkConfig__Output {
  'podCidr': (string);
  'routes': (_keelson_runtime_v1_NodeRoute__Output)[];
  'routesSet': (boolean);
}
