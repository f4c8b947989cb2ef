// Original file: proto/runtime.proto


export interface ImageSpec {
  'image'?: (string);
}

export interface ImageSpec__Output {
  'image': (string);
}
