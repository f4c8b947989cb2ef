// Original file: proto/runtime.proto

import type { NamespaceMode as _keelson_runtime_v1_NamespaceMode, NamespaceMode__Output as _keelson_runtime_v1_NamespaceMode__Output } from '../../../keelson/runtime/v1/NamespaceMode';

export interface NamespaceOption {
  'network'?: (_keelson_runtime_v1_NamespaceMode);
  'pid'?: (_keelson_runtime_v1_NamespaceMode);
  'ipc'?: (_keelson_runtime_v1_NamespaceMode);
}

export interface NamespaceOption__Output {
  'network': (_keelson_runtime_v1_NamespaceMode__Output);
  'pid': (_keelson_runtime_v1_NamespaceMode__Output);
  'ipc': (_keelson_runtime_v1_NamespaceMode__Output);
}
