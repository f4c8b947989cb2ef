import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ImageServiceClient as _keelson_runtime_v1_ImageServiceClient, ImageServiceDefinition as _keelson_runtime_v1_ImageServiceDefinition } from './keelson/runtime/v1/ImageService';
import type { RuntimeServiceClient as _keelson_runtime_v1_RuntimeServiceClient, RuntimeServiceDefinition as _keelson_runtime_v1_RuntimeServiceDefinition } from './keelson/runtime/v1/RuntimeService';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  keelson: {
    runtime: {
      v1: {
        AuthConfig: MessageTypeDefinition
        Capability: MessageTypeDefinition
        Container: MessageTypeDefinition
        ContainerAttributes: MessageTypeDefinition
        ContainerConfig: MessageTypeDefinition
        ContainerFilter: MessageTypeDefinition
        ContainerMetadata: MessageTypeDefinition
        ContainerState: EnumTypeDefinition
        ContainerStateValue: MessageTypeDefinition
        ContainerStats: MessageTypeDefinition
        ContainerStatsFilter: MessageTypeDefinition
        ContainerStatsRequest: MessageTypeDefinition
        ContainerStatsResponse: MessageTypeDefinition
        ContainerStatus: MessageTypeDefinition
        ContainerStatusRequest: MessageTypeDefinition
        ContainerStatusResponse: MessageTypeDefinition
        CpuUsage: MessageTypeDefinition
        CreateContainerRequest: MessageTypeDefinition
        CreateContainerResponse: MessageTypeDefinition
        DNSConfig: MessageTypeDefinition
        ExecExit: MessageTypeDefinition
        ExecInput: MessageTypeDefinition
        ExecOutput: MessageTypeDefinition
        ExecStart: MessageTypeDefinition
        ExecSyncRequest: MessageTypeDefinition
        ExecSyncResponse: MessageTypeDefinition
        HostAlias: MessageTypeDefinition
        Image: MessageTypeDefinition
        ImageFilter: MessageTypeDefinition
        ImageService: SubtypeConstructor<typeof grpc.Client, _keelson_runtime_v1_ImageServiceClient> & { service: _keelson_runtime_v1_ImageServiceDefinition }
        ImageSpec: MessageTypeDefinition
        ImageStatusRequest: MessageTypeDefinition
        ImageStatusResponse: MessageTypeDefinition
        ImportImageRequest: MessageTypeDefinition
        ImportImageResponse: MessageTypeDefinition
        Int64Value: MessageTypeDefinition
        KeyValue: MessageTypeDefinition
        LinuxContainerConfig: MessageTypeDefinition
        LinuxContainerResources: MessageTypeDefinition
        LinuxContainerSecurityContext: MessageTypeDefinition
        LinuxPodSandboxConfig: MessageTypeDefinition
        LinuxSandboxSecurityContext: MessageTypeDefinition
        ListContainerStatsRequest: MessageTypeDefinition
        ListContainerStatsResponse: MessageTypeDefinition
        ListContainersRequest: MessageTypeDefinition
        ListContainersResponse: MessageTypeDefinition
        ListImagesRequest: MessageTypeDefinition
        ListImagesResponse: MessageTypeDefinition
        ListPodSandboxRequest: MessageTypeDefinition
        ListPodSandboxResponse: MessageTypeDefinition
        MemoryUsage: MessageTypeDefinition
        Mount: MessageTypeDefinition
        NamespaceMode: EnumTypeDefinition
        NamespaceOption: MessageTypeDefinition
        NetworkConfig: MessageTypeDefinition
        NodeRoute: MessageTypeDefinition
        PodIP: MessageTypeDefinition
        PodSandbox: MessageTypeDefinition
        PodSandboxConfig: MessageTypeDefinition
        PodSandboxFilter: MessageTypeDefinition
        PodSandboxMetadata: MessageTypeDefinition
        PodSandboxNetworkStatus: MessageTypeDefinition
        PodSandboxState: EnumTypeDefinition
        PodSandboxStateValue: MessageTypeDefinition
        PodSandboxStatus: MessageTypeDefinition
        PodSandboxStatusRequest: MessageTypeDefinition
        PodSandboxStatusResponse: MessageTypeDefinition
        PortMapping: MessageTypeDefinition
        Protocol: EnumTypeDefinition
        PullImageRequest: MessageTypeDefinition
        PullImageResponse: MessageTypeDefinition
        RemoveContainerRequest: MessageTypeDefinition
        RemoveContainerResponse: MessageTypeDefinition
        RemoveImageRequest: MessageTypeDefinition
        RemoveImageResponse: MessageTypeDefinition
        RemovePodSandboxRequest: MessageTypeDefinition
        RemovePodSandboxResponse: MessageTypeDefinition
        ReopenContainerLogRequest: MessageTypeDefinition
        ReopenContainerLogResponse: MessageTypeDefinition
        RunPodSandboxRequest: MessageTypeDefinition
        RunPodSandboxResponse: MessageTypeDefinition
        RuntimeCondition: MessageTypeDefinition
        RuntimeConfig: MessageTypeDefinition
        RuntimeService: SubtypeConstructor<typeof grpc.Client, _keelson_runtime_v1_RuntimeServiceClient> & { service: _keelson_runtime_v1_RuntimeServiceDefinition }
        RuntimeStatus: MessageTypeDefinition
        SecurityProfile: MessageTypeDefinition
        StartContainerRequest: MessageTypeDefinition
        StartContainerResponse: MessageTypeDefinition
        StatusRequest: MessageTypeDefinition
        StatusResponse: MessageTypeDefinition
        StopContainerRequest: MessageTypeDefinition
        StopContainerResponse: MessageTypeDefinition
        StopPodSandboxRequest: MessageTypeDefinition
        StopPodSandboxResponse: MessageTypeDefinition
        TerminalSize: MessageTypeDefinition
        UInt64Value: MessageTypeDefinition
        UpdateRuntimeConfigRequest: MessageTypeDefinition
        UpdateRuntimeConfigResponse: MessageTypeDefinition
        VersionRequest: MessageTypeDefinition
        VersionResponse: MessageTypeDefinition
      }
    }
  }
}

