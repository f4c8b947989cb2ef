// Original file: proto/runtime.proto

import type { PodSandboxMetadata as _keelson_runtime_v1_PodSandboxMetadata, PodSandboxMetadata__Output as _keelson_runtime_v1_PodSandboxMetadata__Output } from '../../../keelson/runtime/v1/PodSandboxMetadata';
import type { DNSConfig as _keelson_runtime_v1_DNSConfig, DNSConfig__Output as _keelson_runtime_v1_DNSConfig__Output } from '../../../keelson/runtime/v1/DNSConfig';
import type { PortMapping as _keelson_runtime_v1_PortMapping, PortMapping__Output as _keelson_runtime_v1_PortMapping__Output } from '../../../keelson/runtime/v1/PortMapping';
import type { LinuxPodSandboxConfig as _keelson_runtime_v1_LinuxPodSandboxConfig, LinuxPodSandboxConfig__Output as _keelson_runtime_v1_LinuxPodSandboxConfig__Output } from '../../../keelson/runtime/v1/LinuxPodSandboxConfig';
import type { HostAlias as _keelson_runtime_v1_HostAlias, HostAlias__Output as _keelson_runtime_v1_HostAlias__Output } from '../../../keelson/runtime/v1/HostAlias';

export interface PodSandboxConfig {
  'metadata'?: (_keelson_runtime_v1_PodSandboxMetadata | null);
  'hostname'?: (string);
  'logDirectory'?: (string);
  'dnsConfig'?: (_keelson_runtime_v1_DNSConfig | null);
  'portMappings'?: (_keelson_runtime_v1_PortMapping)[];
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'linux'?: (_keelson_runtime_v1_LinuxPodSandboxConfig | null);
  'hostAliases'?: (_keelson_runtime_v1_HostAlias)[];
  'fqdn'?: (string);
}

export interface PodSandboxConfig__Output {
  'metadata': (_keelson_runtime_v1_PodSandboxMetadata__Output | null);
  'hostname': (string);
  'logDirectory': (string);
  'dnsConfig': (_keelson_runtime_v1_DNSConfig__Output | null);
  'portMappings': (_keelson_runtime_v1_PortMapping__Output)[];
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'linux': (_keelson_runtime_v1_LinuxPodSandboxConfig__Output | null);
  'hostAliases': (_keelson_runtime_v1_HostAlias__Output)[];
  'fqdn': (string);
}
