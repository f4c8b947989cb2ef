// Original file: proto/runtime.proto


export interface RemoveImageResponse {
}

export interface RemoveImageResponse__Output {
}
