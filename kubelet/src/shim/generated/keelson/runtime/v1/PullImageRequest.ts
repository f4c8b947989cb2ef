// Original file: proto/runtime.proto

import type { ImageSpec as _keelson_runtime_v1_ImageSpec, ImageSpec__Output as _keelson_runtime_v1_ImageSpec__Output } from '../../../keelson/runtime/v1/ImageSpec';
import type { AuthConfig as _keelson_runtime_v1_AuthConfig, AuthConfig__Output as _keelson_runtime_v1_AuthConfig__Output } from '../../../keelson/runtime/v1/AuthConfig';
import type { PodSandboxConfig as _keelson_runtime_v1_PodSandboxConfig, PodSandboxConfig__Output as _keelson_runtime_v1_PodSandboxConfig__Output } from '../../../keelson/runtime/v1/PodSandboxConfig';

export interface PullImageRequest {
  'image'?: (_keelson_runtime_v1_ImageSpec | null);
  'auth'?: (_keelson_runtime_v1_AuthConfig | null);
  'sandboxConfig'?: (_keelson_runtime_v1_PodSandboxConfig | null);
}

export interface PullImageRequest__Output {
  'image': (_keelson_runtime_v1_ImageSpec__Output | null);
  'auth': (_keelson_runtime_v1_AuthConfig__Output | null);
  'sandboxConfig': (_keelson_runtime_v1_PodSandboxConfig__Output | null);
}
