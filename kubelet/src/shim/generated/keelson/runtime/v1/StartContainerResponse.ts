// Original file: proto/runtime.proto


export interface StartContainerResponse {
}

export interface StartContainerResponse__Output {
}
