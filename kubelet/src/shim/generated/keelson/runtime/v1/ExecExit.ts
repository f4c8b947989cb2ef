// Original file: proto/runtime.proto


export interface ExecExit {
  'exitCode'?: (number);
}

export interface ExecExit__Output {
  'exitCode': (number);
}
