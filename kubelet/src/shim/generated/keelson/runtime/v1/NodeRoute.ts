// Original file: proto/runtime.proto


export interface NodeRoute {
  'podCidr'?: (string);
  'nodeIp'?: (string);
}

export interface NodeRoute__Output {
  'podCidr': (string);
  'nodeIp': (string);
}
