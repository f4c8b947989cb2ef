// Original file: proto/runtime.proto


export interface SecurityProfile {
  'profileType'?: (string);
}

export interface SecurityProfile__Output {
  'profileType': (string);
}
