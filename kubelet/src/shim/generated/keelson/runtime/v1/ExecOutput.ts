// Original file: proto/runtime.proto

import type { ExecExit as _keelson_runtime_v1_ExecExit, ExecExit__Output as _keelson_runtime_v1_ExecExit__Output } from '../../../keelson/runtime/v1/ExecExit';

export interface ExecOutput {
  'stdout'?: (Buffer | Uint8Array | string);
  'stderr'?: (Buffer | Uint8Array | string);
  'exit'?: (_keelson_runtime_v1_ExecExit | null);
  'output'?: "stdout"|"stderr"|"exit";
}

export interface ExecOutput__Output {
  'stdout'?: (Buffer);
  'stderr'?: (Buffer);
  'exit'?: (_keelson_runtime_v1_ExecExit__Output | null);
  'output'?: "stdout"|"stderr"|"exit";
}
