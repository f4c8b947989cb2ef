// Original file: proto/runtime.proto

import type { LinuxSandboxSecurityContext as _keelson_runtime_v1_LinuxSandboxSecurityContext, LinuxSandboxSecurityContext__Output as _keelson_runtime_v1_LinuxSandboxSecurityContext__Output } from '../../../keelson/runtime/v1/LinuxSandboxSecurityContext';

export interface LinuxPodSandboxConfig {
  'cgroupParent'?: (string);
  'securityContext'?: (_keelson_runtime_v1_LinuxSandboxSecurityContext | null);
  'sysctls'?: ({[key: string]: string});
}

export interface LinuxPodSandboxConfig__Output {
  'cgroupParent': (string);
  'securityContext': (_keelson_runtime_v1_LinuxSandboxSecurityContext__Output | null);
  'sysctls': ({[key: string]: string});
}
