// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ContainerStatsRequest as _keelson_runtime_v1_ContainerStatsRequest, ContainerStatsRequest__Output as _keelson_runtime_v1_ContainerStatsRequest__Output } from '../../../keelson/runtime/v1/ContainerStatsRequest';
import type { ContainerStatsResponse as _keelson_runtime_v1_ContainerStatsResponse, ContainerStatsResponse__Output as _keelson_runtime_v1_ContainerStatsResponse__Output } from '../../../keelson/runtime/v1/ContainerStatsResponse';
import type { ContainerStatusRequest as _keelson_runtime_v1_ContainerStatusRequest, ContainerStatusRequest__Output as _keelson_runtime_v1_ContainerStatusRequest__Output } from '../../../keelson/runtime/v1/ContainerStatusRequest';
import type { ContainerStatusResponse as _keelson_runtime_v1_ContainerStatusResponse, ContainerStatusResponse__Output as _keelson_runtime_v1_ContainerStatusResponse__Output } from '../../../keelson/runtime/v1/ContainerStatusResponse';
import type { CreateContainerRequest as _keelson_runtime_v1_CreateContainerRequest, CreateContainerRequest__Output as _keelson_runtime_v1_CreateContainerRequest__Output } from '../../../keelson/runtime/v1/CreateContainerRequest';
import type { CreateContainerResponse as _keelson_runtime_v1_CreateContainerResponse, CreateContainerResponse__Output as _keelson_runtime_v1_CreateContainerResponse__Output } from '../../../keelson/runtime/v1/CreateContainerResponse';
import type { ExecInput as _keelson_runtime_v1_ExecInput, ExecInput__Output as _keelson_runtime_v1_ExecInput__Output } from '../../../keelson/runtime/v1/ExecInput';
import type { ExecOutput as _keelson_runtime_v1_ExecOutput, ExecOutput__Output as _keelson_runtime_v1_ExecOutput__Output } from '../../../keelson/runtime/v1/ExecOutput';
import type { ExecSyncRequest as _keelson_runtime_v1_ExecSyncRequest, ExecSyncRequest__Output as _keelson_runtime_v1_ExecSyncRequest__Output } from '../../../keelson/runtime/v1/ExecSyncRequest';
import type { ExecSyncResponse as _keelson_runtime_v1_ExecSyncResponse, ExecSyncResponse__Output as _keelson_runtime_v1_ExecSyncResponse__Output } from '../../../keelson/runtime/v1/ExecSyncResponse';
import type { ListContainerStatsRequest as _keelson_runtime_v1_ListContainerStatsRequest, ListContainerStatsRequest__Output as _keelson_runtime_v1_ListContainerStatsRequest__Output } from '../../../keelson/runtime/v1/ListContainerStatsRequest';
import type { ListContainerStatsResponse as _keelson_runtime_v1_ListContainerStatsResponse, ListContainerStatsResponse__Output as _keelson_runtime_v1_ListContainerStatsResponse__Output } from '../../../keelson/runtime/v1/ListContainerStatsResponse';
import type { ListContainersRequest as _keelson_runtime_v1_ListContainersRequest, ListContainersRequest__Output as _keelson_runtime_v1_ListContainersRequest__Output } from '../../../keelson/runtime/v1/ListContainersRequest';
import type { ListContainersResponse as _keelson_runtime_v1_ListContainersResponse, ListContainersResponse__Output as _keelson_runtime_v1_ListContainersResponse__Output } from '../../../keelson/runtime/v1/ListContainersResponse';
import type { ListPodSandboxRequest as _keelson_runtime_v1_ListPodSandboxRequest, ListPodSandboxRequest__Output as _keelson_runtime_v1_ListPodSandboxRequest__Output } from '../../../keelson/runtime/v1/ListPodSandboxRequest';
import type { ListPodSandboxResponse as _keelson_runtime_v1_ListPodSandboxResponse, ListPodSandboxResponse__Output as _keelson_runtime_v1_ListPodSandboxResponse__Output } from '../../../keelson/runtime/v1/ListPodSandboxResponse';
import type { PodSandboxStatusRequest as _keelson_runtime_v1_PodSandboxStatusRequest, PodSandboxStatusRequest__Output as _keelson_runtime_v1_PodSandboxStatusRequest__Output } from '../../../keelson/runtime/v1/PodSandboxStatusRequest';
import type { PodSandboxStatusResponse as _keelson_runtime_v1_PodSandboxStatusResponse, PodSandboxStatusResponse__Output as _keelson_runtime_v1_PodSandboxStatusResponse__Output } from '../../../keelson/runtime/v1/PodSandboxStatusResponse';
import type { RemoveContainerRequest as _keelson_runtime_v1_RemoveContainerRequest, RemoveContainerRequest__Output as _keelson_runtime_v1_RemoveContainerRequest__Output } from '../../../keelson/runtime/v1/RemoveContainerRequest';
import type { RemoveContainerResponse as _keelson_runtime_v1_RemoveContainerResponse, RemoveContainerResponse__Output as _keelson_runtime_v1_RemoveContainerResponse__Output } from '../../../keelson/runtime/v1/RemoveContainerResponse';
import type { RemovePodSandboxRequest as _keelson_runtime_v1_RemovePodSandboxRequest, RemovePodSandboxRequest__Output as _keelson_runtime_v1_RemovePodSandboxRequest__Output } from '../../../keelson/runtime/v1/RemovePodSandboxRequest';
import type { RemovePodSandboxResponse as _keelson_runtime_v1_RemovePodSandboxResponse, RemovePodSandboxResponse__Output as _keelson_runtime_v1_RemovePodSandboxResponse__Output } from '../../../keelson/runtime/v1/RemovePodSandboxResponse';
import type { ReopenContainerLogRequest as _keelson_runtime_v1_ReopenContainerLogRequest, ReopenContainerLogRequest__Output as _keelson_runtime_v1_ReopenContainerLogRequest__Output } from '../../../keelson/runtime/v1/ReopenContainerLogRequest';
import type { ReopenContainerLogResponse as _keelson_runtime_v1_ReopenContainerLogResponse, ReopenContainerLogResponse__Output as _keelson_runtime_v1_ReopenContainerLogResponse__Output } from '../../../keelson/runtime/v1/ReopenContainerLogResponse';
import type { RunPodSandboxRequest as _keelson_runtime_v1_RunPodSandboxRequest, RunPodSandboxRequest__Output as _keelson_runtime_v1_RunPodSandboxRequest__Output } from '../../../keelson/runtime/v1/RunPodSandboxRequest';
import type { RunPodSandboxResponse as _keelson_runtime_v1_RunPodSandboxResponse, RunPodSandboxResponse__Output as _keelson_runtime_v1_RunPodSandboxResponse__Output } from '../../../keelson/runtime/v1/RunPodSandboxResponse';
import type { StartContainerRequest as _keelson_runtime_v1_StartContainerRequest, StartContainerRequest__Output as _keelson_runtime_v1_StartContainerRequest__Output } from '../../../keelson/runtime/v1/StartContainerRequest';
import type { StartContainerResponse as _keelson_runtime_v1_StartContainerResponse, StartContainerResponse__Output as _keelson_runtime_v1_StartContainerResponse__Output } from '../../../keelson/runtime/v1/StartContainerResponse';
import type { StatusRequest as _keelson_runtime_v1_StatusRequest, StatusRequest__Output as _keelson_runtime_v1_StatusRequest__Output } from '../../../keelson/runtime/v1/StatusRequest';
import type { StatusResponse as _keelson_runtime_v1_StatusResponse, StatusResponse__Output as _keelson_runtime_v1_StatusResponse__Output } from '../../../keelson/runtime/v1/StatusResponse';
import type { StopContainerRequest as _keelson_runtime_v1_StopContainerRequest, StopContainerRequest__Output as _keelson_runtime_v1_StopContainerRequest__Output } from '../../../keelson/runtime/v1/StopContainerRequest';
import type { StopContainerResponse as _keelson_runtime_v1_StopContainerResponse, StopContainerResponse__Output as _keelson_runtime_v1_StopContainerResponse__Output } from '../../../keelson/runtime/v1/StopContainerResponse';
import type { StopPodSandboxRequest as _keelson_runtime_v1_StopPodSandboxRequest, StopPodSandboxRequest__Output as _keelson_runtime_v1_StopPodSandboxRequest__Output } from '../../../keelson/runtime/v1/StopPodSandboxRequest';
import type { StopPodSandboxResponse as _keelson_runtime_v1_StopPodSandboxResponse, StopPodSandboxResponse__Output as _keelson_runtime_v1_StopPodSandboxResponse__Output } from '../../../keelson/runtime/v1/StopPodSandboxResponse';
import type { UpdateRuntimeConfigRequest as _keelson_runtime_v1_UpdateRuntimeConfigRequest, UpdateRuntimeConfigRequest__Output as _keelson_runtime_v1_UpdateRuntimeConfigRequest__Output } from '../../../keelson/runtime/v1/UpdateRuntimeConfigRequest';
import type { UpdateRuntimeConfigResponse as _keelson_runtime_v1_UpdateRuntimeConfigResponse, UpdateRuntimeConfigResponse__Output as _keelson_runtime_v1_UpdateRuntimeConfigResponse__Output } from '../../../keelson/runtime/v1/UpdateRuntimeConfigResponse';
import type { VersionRequest as _keelson_runtime_v1_VersionRequest, VersionRequest__Output as _keelson_runtime_v1_VersionRequest__Output } from '../../../keelson/runtime/v1/VersionRequest';
import type { VersionResponse as _keelson_runtime_v1_VersionResponse, VersionResponse__Output as _keelson_runtime_v1_VersionResponse__Output } from '../../../keelson/runtime/v1/VersionResponse';

export interface RuntimeServiceClient extends grpc.Client {
  ContainerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  ContainerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  ContainerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  ContainerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  containerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  containerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  containerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  containerStats(argument: _keelson_runtime_v1_ContainerStatsRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  
  ContainerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  ContainerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  ContainerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  ContainerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  containerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  containerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  containerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  containerStatus(argument: _keelson_runtime_v1_ContainerStatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ContainerStatusResponse__Output>): grpc.ClientUnaryCall;
  
  CreateContainer(argument: _keelson_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  CreateContainer(argument: _keelson_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  CreateContainer(argument: _keelson_runtime_v1_CreateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  CreateContainer(argument: _keelson_runtime_v1_CreateContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  createContainer(argument: _keelson_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  createContainer(argument: _keelson_runtime_v1_CreateContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  createContainer(argument: _keelson_runtime_v1_CreateContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  createContainer(argument: _keelson_runtime_v1_CreateContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_CreateContainerResponse__Output>): grpc.ClientUnaryCall;
  
  Exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_keelson_runtime_v1_ExecInput, _keelson_runtime_v1_ExecOutput__Output>;
  Exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_keelson_runtime_v1_ExecInput, _keelson_runtime_v1_ExecOutput__Output>;
  exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_keelson_runtime_v1_ExecInput, _keelson_runtime_v1_ExecOutput__Output>;
  exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_keelson_runtime_v1_ExecInput, _keelson_runtime_v1_ExecOutput__Output>;
  
  ExecSync(argument: _keelson_runtime_v1_ExecSyncRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  ExecSync(argument: _keelson_runtime_v1_ExecSyncRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  ExecSync(argument: _keelson_runtime_v1_ExecSyncRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  ExecSync(argument: _keelson_runtime_v1_ExecSyncRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  execSync(argument: _keelson_runtime_v1_ExecSyncRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  execSync(argument: _keelson_runtime_v1_ExecSyncRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  execSync(argument: _keelson_runtime_v1_ExecSyncRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  execSync(argument: _keelson_runtime_v1_ExecSyncRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ExecSyncResponse__Output>): grpc.ClientUnaryCall;
  
  ListContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  ListContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  ListContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  ListContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  listContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  listContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  listContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  listContainerStats(argument: _keelson_runtime_v1_ListContainerStatsRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainerStatsResponse__Output>): grpc.ClientUnaryCall;
  
  ListContainers(argument: _keelson_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  ListContainers(argument: _keelson_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  ListContainers(argument: _keelson_runtime_v1_ListContainersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  ListContainers(argument: _keelson_runtime_v1_ListContainersRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  listContainers(argument: _keelson_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  listContainers(argument: _keelson_runtime_v1_ListContainersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  listContainers(argument: _keelson_runtime_v1_ListContainersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  listContainers(argument: _keelson_runtime_v1_ListContainersRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListContainersResponse__Output>): grpc.ClientUnaryCall;
  
  ListPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  ListPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  ListPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  ListPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _keelson_runtime_v1_ListPodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  
  PodSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  PodSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  PodSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  PodSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _keelson_runtime_v1_PodSandboxStatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_PodSandboxStatusResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  RemoveContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  RemoveContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  RemoveContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  removeContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  removeContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  removeContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  removeContainer(argument: _keelson_runtime_v1_RemoveContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveContainerResponse__Output>): grpc.ClientUnaryCall;
  
  RemovePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  RemovePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  RemovePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  RemovePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _keelson_runtime_v1_RemovePodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RemovePodSandboxResponse__Output>): grpc.ClientUnaryCall;
  
  ReopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  ReopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  ReopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  ReopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _keelson_runtime_v1_ReopenContainerLogRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ReopenContainerLogResponse__Output>): grpc.ClientUnaryCall;
  
  RunPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  RunPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  RunPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  RunPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _keelson_runtime_v1_RunPodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RunPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  
  StartContainer(argument: _keelson_runtime_v1_StartContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  StartContainer(argument: _keelson_runtime_v1_StartContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  StartContainer(argument: _keelson_runtime_v1_StartContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  StartContainer(argument: _keelson_runtime_v1_StartContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  startContainer(argument: _keelson_runtime_v1_StartContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  startContainer(argument: _keelson_runtime_v1_StartContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  startContainer(argument: _keelson_runtime_v1_StartContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  startContainer(argument: _keelson_runtime_v1_StartContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StartContainerResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _keelson_runtime_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _keelson_runtime_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _keelson_runtime_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _keelson_runtime_v1_StatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _keelson_runtime_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _keelson_runtime_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _keelson_runtime_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _keelson_runtime_v1_StatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  StopContainer(argument: _keelson_runtime_v1_StopContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  StopContainer(argument: _keelson_runtime_v1_StopContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  StopContainer(argument: _keelson_runtime_v1_StopContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  StopContainer(argument: _keelson_runtime_v1_StopContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  stopContainer(argument: _keelson_runtime_v1_StopContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  stopContainer(argument: _keelson_runtime_v1_StopContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  stopContainer(argument: _keelson_runtime_v1_StopContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  stopContainer(argument: _keelson_runtime_v1_StopContainerRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StopContainerResponse__Output>): grpc.ClientUnaryCall;
  
  StopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  StopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  StopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  StopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _keelson_runtime_v1_StopPodSandboxRequest, callback: grpc.requestCallback<_keelson_runtime_v1_StopPodSandboxResponse__Output>): grpc.ClientUnaryCall;
  
  UpdateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  UpdateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  UpdateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  UpdateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _keelson_runtime_v1_UpdateRuntimeConfigRequest, callback: grpc.requestCallback<_keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>): grpc.ClientUnaryCall;
  
  Version(argument: _keelson_runtime_v1_VersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _keelson_runtime_v1_VersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _keelson_runtime_v1_VersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  Version(argument: _keelson_runtime_v1_VersionRequest, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _keelson_runtime_v1_VersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _keelson_runtime_v1_VersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _keelson_runtime_v1_VersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  version(argument: _keelson_runtime_v1_VersionRequest, callback: grpc.requestCallback<_keelson_runtime_v1_VersionResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface RuntimeServiceHandlers extends grpc.UntypedServiceImplementation {
  ContainerStats: grpc.handleUnaryCall<_keelson_runtime_v1_ContainerStatsRequest__Output, _keelson_runtime_v1_ContainerStatsResponse>;
  
  ContainerStatus: grpc.handleUnaryCall<_keelson_runtime_v1_ContainerStatusRequest__Output, _keelson_runtime_v1_ContainerStatusResponse>;
  
  CreateContainer: grpc.handleUnaryCall<_keelson_runtime_v1_CreateContainerRequest__Output, _keelson_runtime_v1_CreateContainerResponse>;
  
  Exec: grpc.handleBidiStreamingCall<_keelson_runtime_v1_ExecInput__Output, _keelson_runtime_v1_ExecOutput>;
  
  ExecSync: grpc.handleUnaryCall<_keelson_runtime_v1_ExecSyncRequest__Output, _keelson_runtime_v1_ExecSyncResponse>;
  
  ListContainerStats: grpc.handleUnaryCall<_keelson_runtime_v1_ListContainerStatsRequest__Output, _keelson_runtime_v1_ListContainerStatsResponse>;
  
  ListContainers: grpc.handleUnaryCall<_keelson_runtime_v1_ListContainersRequest__Output, _keelson_runtime_v1_ListContainersResponse>;
  
  ListPodSandbox: grpc.handleUnaryCall<_keelson_runtime_v1_ListPodSandboxRequest__Output, _keelson_runtime_v1_ListPodSandboxResponse>;
  
  PodSandboxStatus: grpc.handleUnaryCall<_keelson_runtime_v1_PodSandboxStatusRequest__Output, _keelson_runtime_v1_PodSandboxStatusResponse>;
  
  RemoveContainer: grpc.handleUnaryCall<_keelson_runtime_v1_RemoveContainerRequest__Output, _keelson_runtime_v1_RemoveContainerResponse>;
  
  RemovePodSandbox: grpc.handleUnaryCall<_keelson_runtime_v1_RemovePodSandboxRequest__Output, _keelson_runtime_v1_RemovePodSandboxResponse>;
  
  ReopenContainerLog: grpc.handleUnaryCall<_keelson_runtime_v1_ReopenContainerLogRequest__Output, _keelson_runtime_v1_ReopenContainerLogResponse>;
  
  RunPodSandbox: grpc.handleUnaryCall<_keelson_runtime_v1_RunPodSandboxRequest__Output, _keelson_runtime_v1_RunPodSandboxResponse>;
  
  StartContainer: grpc.handleUnaryCall<_keelson_runtime_v1_StartContainerRequest__Output, _keelson_runtime_v1_StartContainerResponse>;
  
  Status: grpc.handleUnaryCall<_keelson_runtime_v1_StatusRequest__Output, _keelson_runtime_v1_StatusResponse>;
  
  StopContainer: grpc.handleUnaryCall<_keelson_runtime_v1_StopContainerRequest__Output, _keelson_runtime_v1_StopContainerResponse>;
  
  StopPodSandbox: grpc.handleUnaryCall<_keelson_runtime_v1_StopPodSandboxRequest__Output, _keelson_runtime_v1_StopPodSandboxResponse>;
  
  UpdateRuntimeConfig: grpc.handleUnaryCall<_keelson_runtime_v1_UpdateRuntimeConfigRequest__Output, _keelson_runtime_v1_UpdateRuntimeConfigResponse>;
  
  Version: grpc.handleUnaryCall<_keelson_runtime_v1_VersionRequest__Output, _keelson_runtime_v1_VersionResponse>;
  
}

export interface RuntimeServiceDefinition extends grpc.ServiceDefinition {
  ContainerStats: MethodDefinition<_keelson_runtime_v1_ContainerStatsRequest, _keelson_runtime_v1_ContainerStatsResponse, _keelson_runtime_v1_ContainerStatsRequest__Output, _keelson_runtime_v1_ContainerStatsResponse__Output>
  ContainerStatus: MethodDefinition<_keelson_runtime_v1_ContainerStatusRequest, _keelson_runtime_v1_ContainerStatusResponse, _keelson_runtime_v1_ContainerStatusRequest__Output, _keelson_runtime_v1_ContainerStatusResponse__Output>
  CreateContainer: MethodDefinition<_keelson_runtime_v1_CreateContainerRequest, _keelson_runtime_v1_CreateContainerResponse, _keelson_runtime_v1_CreateContainerRequest__Output, _keelson_runtime_v1_CreateContainerResponse__Output>
  Exec: MethodDefinition<_keelson_runtime_v1_ExecInput, _keelson_runtime_v1_ExecOutput, _keelson_runtime_v1_ExecInput__Output, _keelson_runtime_v1_ExecOutput__Output>
  ExecSync: MethodDefinition<_keelson_runtime_v1_ExecSyncRequest, _keelson_runtime_v1_ExecSyncResponse, _keelson_runtime_v1_ExecSyncRequest__Output, _keelson_runtime_v1_ExecSyncResponse__Output>
  ListContainerStats: MethodDefinition<_keelson_runtime_v1_ListContainerStatsRequest, _keelson_runtime_v1_ListContainerStatsResponse, _keelson_runtime_v1_ListContainerStatsRequest__Output, _keelson_runtime_v1_ListContainerStatsResponse__Output>
  ListContainers: MethodDefinition<_keelson_runtime_v1_ListContainersRequest, _keelson_runtime_v1_ListContainersResponse, _keelson_runtime_v1_ListContainersRequest__Output, _keelson_runtime_v1_ListContainersResponse__Output>
  ListPodSandbox: MethodDefinition<_keelson_runtime_v1_ListPodSandboxRequest, _keelson_runtime_v1_ListPodSandboxResponse, _keelson_runtime_v1_ListPodSandboxRequest__Output, _keelson_runtime_v1_ListPodSandboxResponse__Output>
  PodSandboxStatus: MethodDefinition<_keelson_runtime_v1_PodSandboxStatusRequest, _keelson_runtime_v1_PodSandboxStatusResponse, _keelson_runtime_v1_PodSandboxStatusRequest__Output, _keelson_runtime_v1_PodSandboxStatusResponse__Output>
  RemoveContainer: MethodDefinition<_keelson_runtime_v1_RemoveContainerRequest, _keelson_runtime_v1_RemoveContainerResponse, _keelson_runtime_v1_RemoveContainerRequest__Output, _keelson_runtime_v1_RemoveContainerResponse__Output>
  RemovePodSandbox: MethodDefinition<_keelson_runtime_v1_RemovePodSandboxRequest, _keelson_runtime_v1_RemovePodSandboxResponse, _keelson_runtime_v1_RemovePodSandboxRequest__Output, _keelson_runtime_v1_RemovePodSandboxResponse__Output>
  ReopenContainerLog: MethodDefinition<_keelson_runtime_v1_ReopenContainerLogRequest, _keelson_runtime_v1_ReopenContainerLogResponse, _keelson_runtime_v1_ReopenContainerLogRequest__Output, _keelson_runtime_v1_ReopenContainerLogResponse__Output>
  RunPodSandbox: MethodDefinition<_keelson_runtime_v1_RunPodSandboxRequest, _keelson_runtime_v1_RunPodSandboxResponse, _keelson_runtime_v1_RunPodSandboxRequest__Output, _keelson_runtime_v1_RunPodSandboxResponse__Output>
  StartContainer: MethodDefinition<_keelson_runtime_v1_StartContainerRequest, _keelson_runtime_v1_StartContainerResponse, _keelson_runtime_v1_StartContainerRequest__Output, _keelson_runtime_v1_StartContainerResponse__Output>
  Status: MethodDefinition<_keelson_runtime_v1_StatusRequest, _keelson_runtime_v1_StatusResponse, _keelson_runtime_v1_StatusRequest__Output, _keelson_runtime_v1_StatusResponse__Output>
  StopContainer: MethodDefinition<_keelson_runtime_v1_StopContainerRequest, _keelson_runtime_v1_StopContainerResponse, _keelson_runtime_v1_StopContainerRequest__Output, _keelson_runtime_v1_StopContainerResponse__Output>
  StopPodSandbox: MethodDefinition<_keelson_runtime_v1_StopPodSandboxRequest, _keelson_runtime_v1_StopPodSandboxResponse, _keelson_runtime_v1_StopPodSandboxRequest__Output, _keelson_runtime_v1_StopPodSandboxResponse__Output>
  UpdateRuntimeConfig: MethodDefinition<_keelson_runtime_v1_UpdateRuntimeConfigRequest, _keelson_runtime_v1_UpdateRuntimeConfigResponse, _keelson_runtime_v1_UpdateRuntimeConfigRequest__Output, _keelson_runtime_v1_UpdateRuntimeConfigResponse__Output>
  Version: MethodDefinition<_keelson_runtime_v1_VersionRequest, _keelson_runtime_v1_VersionResponse, _keelson_runtime_v1_VersionRequest__Output, _keelson_runtime_v1_VersionResponse__Output>
}
