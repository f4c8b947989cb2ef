// Original file: proto/runtime.proto

import type { ContainerMetadata as _keelson_runtime_v1_ContainerMetadata, ContainerMetadata__Output as _keelson_runtime_v1_ContainerMetadata__Output } from '../../../keelson/runtime/v1/ContainerMetadata';
import type { ImageSpec as _keelson_runtime_v1_ImageSpec, ImageSpec__Output as _keelson_runtime_v1_ImageSpec__Output } from '../../../keelson/runtime/v1/ImageSpec';
import type { KeyValue as _keelson_runtime_v1_KeyValue, KeyValue__Output as _keelson_runtime_v1_KeyValue__Output } from '../../../keelson/runtime/v1/KeyValue';
import type { Mount as _keelson_runtime_v1_Mount, Mount__Output as _keelson_runtime_v1_Mount__Output } from '../../../keelson/runtime/v1/Mount';
import type { LinuxContainerConfig as _keelson_runtime_v1_LinuxContainerConfig, LinuxContainerConfig__Output as _keelson_runtime_v1_LinuxContainerConfig__Output } from '../../../keelson/runtime/v1/LinuxContainerConfig';

export interface ContainerConfig {
  'metadata'?: (_keelson_runtime_v1_ContainerMetadata | null);
  'image'?: (_keelson_runtime_v1_ImageSpec | null);
  'command'?: (string)[];
  'args'?: (string)[];
  'workingDir'?: (string);
  'envs'?: (_keelson_runtime_v1_KeyValue)[];
  'mounts'?: (_keelson_runtime_v1_Mount)[];
  'labels'?: ({[key: string]: string});
  'annotations'?: ({[key: string]: string});
  'logPath'?: (string);
  'stdin'?: (boolean);
  'stdinOnce'?: (boolean);
  'tty'?: (boolean);
  'linux'?: (_keelson_runtime_v1_LinuxContainerConfig | null);
}

export interface ContainerConfig__Output {
  'metadata': (_keelson_runtime_v1_ContainerMetadata__Output | null);
  'image': (_keelson_runtime_v1_ImageSpec__Output | null);
  'command': (string)[];
  'args': (string)[];
  'workingDir': (string);
  'envs': (_keelson_runtime_v1_KeyValue__Output)[];
  'mounts': (_keelson_runtime_v1_Mount__Output)[];
  'labels': ({[key: string]: string});
  'annotations': ({[key: string]: string});
  'logPath': (string);
  'stdin': (boolean);
  'stdinOnce': (boolean);
  'tty': (boolean);
  'linux': (_keelson_runtime_v1_LinuxContainerConfig__Output | null);
}
