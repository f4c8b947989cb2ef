// Original file: proto/runtime.proto

import type { NamespaceOption as _keelson_runtime_v1_NamespaceOption, NamespaceOption__Output as _keelson_runtime_v1_NamespaceOption__Output } from '../../../keelson/runtime/v1/NamespaceOption';

export interface LinuxSandboxSecurityContext {
  'namespaceOptions'?: (_keelson_runtime_v1_NamespaceOption | null);
  'privileged'?: (boolean);
}

export interface LinuxSandboxSecurityContext__Output {
  'namespaceOptions': (_keelson_runtime_v1_NamespaceOption__Output | null);
  'privileged': (boolean);
}
