// Original file: proto/runtime.proto

import type { Protocol as _keelson_runtime_v1_Protocol, Protocol__Output as _keelson_runtime_v1_Protocol__Output } from '../../../keelson/runtime/v1/Protocol';

export interface PortMapping {
  'protocol'?: (_keelson_runtime_v1_Protocol);
  'containerPort'?: (number);
  'hostPort'?: (number);
  'hostIp'?: (string);
}

export interface PortMapping__Output {
  'protocol': (_keelson_runtime_v1_Protocol__Output);
  'containerPort': (number);
  'hostPort': (number);
  'hostIp': (string);
}
