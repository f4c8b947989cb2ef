// Original file: proto/runtime.proto


export interface ImportImageRequest {
  'path'?: (string);
}

export interface ImportImageRequest__Output {
  'path': (string);
}
