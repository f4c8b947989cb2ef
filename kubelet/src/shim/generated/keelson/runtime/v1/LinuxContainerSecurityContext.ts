// Original file: proto/runtime.proto

import type { Capability as _keelson_runtime_v1_Capability, Capability__Output as _keelson_runtime_v1_Capability__Output } from '../../../keelson/runtime/v1/Capability';
import type { Int64Value as _keelson_runtime_v1_Int64Value, Int64Value__Output as _keelson_runtime_v1_Int64Value__Output } from '../../../keelson/runtime/v1/Int64Value';
import type { SecurityProfile as _keelson_runtime_v1_SecurityProfile, SecurityProfile__Output as _keelson_runtime_v1_SecurityProfile__Output } from '../../../keelson/runtime/v1/SecurityProfile';
import type { Long } from '@grpc/proto-loader';

export interface LinuxContainerSecurityContext {
  'capabilities'?: (_keelson_runtime_v1_Capability | null);
  'privileged'?: (boolean);
  'runAsUser'?: (_keelson_runtime_v1_Int64Value | null);
  'runAsGroup'?: (_keelson_runtime_v1_Int64Value | null);
  'supplementalGroups'?: (number | string | Long)[];
  'readonlyRootfs'?: (boolean);
  'allowPrivilegeEscalation'?: (boolean);
  'seccomp'?: (_keelson_runtime_v1_SecurityProfile | null);
  'runAsUsername'?: (string);
}

export interface LinuxContainerSecurityContext__Output {
  'capabilities': (_keelson_runtime_v1_Capability__Output | null);
  'privileged': (boolean);
  'runAsUser': (_keelson_runtime_v1_Int64Value__Output | null);
  'runAsGroup': (_keelson_runtime_v1_Int64Value__Output | null);
  'supplementalGroups': (string)[];
  'readonlyRootfs': (boolean);
  'allowPrivilegeEscalation': (boolean);
  'seccomp': (_keelson_runtime_v1_SecurityProfile__Output | null);
  'runAsUsername': (string);
}
