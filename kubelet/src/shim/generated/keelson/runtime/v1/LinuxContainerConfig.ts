// Original file: proto/runtime.proto

import type { LinuxContainerResources as _keelson_runtime_v1_LinuxContainerResources, LinuxContainerResources__Output as _keelson_runtime_v1_LinuxContainerResources__Output } from '../../../keelson/runtime/v1/LinuxContainerResources';
import type { LinuxContainerSecurityContext as _keelson_runtime_v1_LinuxContainerSecurityContext, LinuxContainerSecurityContext__Output as _keelson_runtime_v1_LinuxContainerSecurityContext__Output } from '../../../keelson/runtime/v1/LinuxContainerSecurityContext';

export interface LinuxContainerConfig {
  'resources'?: (_keelson_runtime_v1_LinuxContainerResources | null);
  'securityContext'?: (_keelson_runtime_v1_LinuxContainerSecurityContext | null);
}

export interface LinuxContainerConfig__Output {
  'resources': (_keelson_runtime_v1_LinuxContainerResources__Output | null);
  'securityContext': (_keelson_runtime_v1_LinuxContainerSecurityContext__Output | null);
}
