// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ImageStatusRequest as _keelson_runtime_v1_ImageStatusRequest, ImageStatusRequest__Output as _keelson_runtime_v1_ImageStatusRequest__Output } from '../../../keelson/runtime/v1/ImageStatusRequest';
import type { ImageStatusResponse as _keelson_runtime_v1_ImageStatusResponse, ImageStatusResponse__Output as _keelson_runtime_v1_ImageStatusResponse__Output } from '../../../keelson/runtime/v1/ImageStatusResponse';
import type { ImportImageRequest as _keelson_runtime_v1_ImportImageRequest, ImportImageRequest__Output as _keelson_runtime_v1_ImportImageRequest__Output } from '../../../keelson/runtime/v1/ImportImageRequest';
import type { ImportImageResponse as _keelson_runtime_v1_ImportImageResponse, ImportImageResponse__Output as _keelson_runtime_v1_ImportImageResponse__Output } from '../../../keelson/runtime/v1/ImportImageResponse';
import type { ListImagesRequest as _keelson_runtime_v1_ListImagesRequest, ListImagesRequest__Output as _keelson_runtime_v1_ListImagesRequest__Output } from '../../../keelson/runtime/v1/ListImagesRequest';
import type { ListImagesResponse as _keelson_runtime_v1_ListImagesResponse, ListImagesResponse__Output as _keelson_runtime_v1_ListImagesResponse__Output } from '../../../keelson/runtime/v1/ListImagesResponse';
import type { PullImageRequest as _keelson_runtime_v1_PullImageRequest, PullImageRequest__Output as _keelson_runtime_v1_PullImageRequest__Output } from '../../../keelson/runtime/v1/PullImageRequest';
import type { PullImageResponse as _keelson_runtime_v1_PullImageResponse, PullImageResponse__Output as _keelson_runtime_v1_PullImageResponse__Output } from '../../../keelson/runtime/v1/PullImageResponse';
import type { RemoveImageRequest as _keelson_runtime_v1_RemoveImageRequest, RemoveImageRequest__Output as _keelson_runtime_v1_RemoveImageRequest__Output } from '../../../keelson/runtime/v1/RemoveImageRequest';
import type { RemoveImageResponse as _keelson_runtime_v1_RemoveImageResponse, RemoveImageResponse__Output as _keelson_runtime_v1_RemoveImageResponse__Output } from '../../../keelson/runtime/v1/RemoveImageResponse';

export interface ImageServiceClient extends grpc.Client {
  ImageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  ImageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  ImageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  ImageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  imageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  imageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  imageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  imageStatus(argument: _keelson_runtime_v1_ImageStatusRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ImageStatusResponse__Output>): grpc.ClientUnaryCall;
  
  ImportImage(argument: _keelson_runtime_v1_ImportImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  ImportImage(argument: _keelson_runtime_v1_ImportImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  ImportImage(argument: _keelson_runtime_v1_ImportImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  ImportImage(argument: _keelson_runtime_v1_ImportImageRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  importImage(argument: _keelson_runtime_v1_ImportImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  importImage(argument: _keelson_runtime_v1_ImportImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  importImage(argument: _keelson_runtime_v1_ImportImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  importImage(argument: _keelson_runtime_v1_ImportImageRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ImportImageResponse__Output>): grpc.ClientUnaryCall;
  
  ListImages(argument: _keelson_runtime_v1_ListImagesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  ListImages(argument: _keelson_runtime_v1_ListImagesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  ListImages(argument: _keelson_runtime_v1_ListImagesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  ListImages(argument: _keelson_runtime_v1_ListImagesRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _keelson_runtime_v1_ListImagesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _keelson_runtime_v1_ListImagesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _keelson_runtime_v1_ListImagesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  listImages(argument: _keelson_runtime_v1_ListImagesRequest, callback: grpc.requestCallback<_keelson_runtime_v1_ListImagesResponse__Output>): grpc.ClientUnaryCall;
  
  PullImage(argument: _keelson_runtime_v1_PullImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  PullImage(argument: _keelson_runtime_v1_PullImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  PullImage(argument: _keelson_runtime_v1_PullImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  PullImage(argument: _keelson_runtime_v1_PullImageRequest, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  pullImage(argument: _keelson_runtime_v1_PullImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  pullImage(argument: _keelson_runtime_v1_PullImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  pullImage(argument: _keelson_runtime_v1_PullImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  pullImage(argument: _keelson_runtime_v1_PullImageRequest, callback: grpc.requestCallback<_keelson_runtime_v1_PullImageResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveImage(argument: _keelson_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  RemoveImage(argument: _keelson_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  RemoveImage(argument: _keelson_runtime_v1_RemoveImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  RemoveImage(argument: _keelson_runtime_v1_RemoveImageRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  removeImage(argument: _keelson_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  removeImage(argument: _keelson_runtime_v1_RemoveImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  removeImage(argument: _keelson_runtime_v1_RemoveImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  removeImage(argument: _keelson_runtime_v1_RemoveImageRequest, callback: grpc.requestCallback<_keelson_runtime_v1_RemoveImageResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ImageServiceHandlers extends grpc.UntypedServiceImplementation {
  ImageStatus: grpc.handleUnaryCall<_keelson_runtime_v1_ImageStatusRequest__Output, _keelson_runtime_v1_ImageStatusResponse>;
  
  ImportImage: grpc.handleUnaryCall<_keelson_runtime_v1_ImportImageRequest__Output, _keelson_runtime_v1_ImportImageResponse>;
  
  ListImages: grpc.handleUnaryCall<_keelson_runtime_v1_ListImagesRequest__Output, _keelson_runtime_v1_ListImagesResponse>;
  
  PullImage: grpc.handleUnaryCall<_keelson_runtime_v1_PullImageRequest__Output, _keelson_runtime_v1_PullImageResponse>;
  
  RemoveImage: grpc.handleUnaryCall<_keelson_runtime_v1_RemoveImageRequest__Output, _keelson_runtime_v1_RemoveImageResponse>;
  
}

export interface ImageServiceDefinition extends grpc.ServiceDefinition {
  ImageStatus: MethodDefinition<_keelson_runtime_v1_ImageStatusRequest, _keelson_runtime_v1_ImageStatusResponse, _keelson_runtime_v1_ImageStatusRequest__Output, _keelson_runtime_v1_ImageStatusResponse__Output>
  ImportImage: MethodDefinition<_keelson_runtime_v1_ImportImageRequest, _keelson_runtime_v1_ImportImageResponse, _keelson_runtime_v1_ImportImageRequest__Output, _keelson_runtime_v1_ImportImageResponse__Output>
  ListImages: MethodDefinition<_keelson_runtime_v1_ListImagesRequest, _keelson_runtime_v1_ListImagesResponse, _keelson_runtime_v1_ListImagesRequest__Output, _keelson_runtime_v1_ListImagesResponse__Output>
  PullImage: MethodDefinition<_keelson_runtime_v1_PullImageRequest, _keelson_runtime_v1_PullImageResponse, _keelson_runtime_v1_PullImageRequest__Output, _keelson_runtime_v1_PullImageResponse__Output>
  RemoveImage: MethodDefinition<_keelson_runtime_v1_RemoveImageRequest, _keelson_runtime_v1_RemoveImageResponse, _keelson_runtime_v1_RemoveImageRequest__Output, _keelson_runtime_v1_RemoveImageResponse__Output>
}
