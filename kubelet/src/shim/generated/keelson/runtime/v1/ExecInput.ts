// Original file: proto/runtime.proto

import type { ExecStart as _keelson_runtime_v1_ExecStart, ExecStart__Output as _keelson_runtime_v1_ExecStart__Output } from '../../../keelson/runtime/v1/ExecStart';
import type { TerminalSize as _keelson_runtime_v1_TerminalSize, TerminalSize__Output as _keelson_runtime_v1_TerminalSize__Output } from '../../../keelson/runtime/v1/TerminalSize';

export interface ExecInput {
  'start'?: (_keelson_runtime_v1_ExecStart | null);
  'stdin'?: (Buffer | Uint8Array | string);
  'resize'?: (_keelson_runtime_v1_TerminalSize | null);
  'closeStdin'?: (boolean);
  'input'?: "start"|"stdin"|"resize"|"closeStdin";
}

export interface ExecInput__Output {
  'start'?: (_keelson_runtime_v1_ExecStart__Output | null);
  'stdin'?: (Buffer);
  'resize'?: (_keelson_runtime_v1_TerminalSize__Output | null);
  'closeStdin'?: (boolean);
  'input'?: "start"|"stdin"|"resize"|"closeStdin";
}
