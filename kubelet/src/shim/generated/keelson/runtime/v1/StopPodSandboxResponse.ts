// Original file: proto/runtime.proto


export interface StopPodSandboxResponse {
}

export interface StopPodSandboxResponse__Output {
}
