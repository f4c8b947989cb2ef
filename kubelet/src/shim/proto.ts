// Loads kubelet/proto/runtime.proto once: the service definitions the shim serves and the kubelet calls, and the message types.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/runtime';

/** Where the .proto lives: the same relative path from src/shim (ts-jest) and dist/shim (built). */
export const protoPath = path.resolve(__dirname, '../../proto/runtime.proto');

/**
 * How messages are turned into JavaScript: camelCase fields, enums as their names, 64-bit integers as
 * decimal strings (nanosecond timestamps do not fit a double), defaults filled in, oneofs named.
 */
export const loaderOptions: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

let loaded: ProtoGrpcType | undefined;

/** The `keelson.runtime.v1` package. */
export function runtimeProto(): ProtoGrpcType['keelson']['runtime']['v1'] {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync(protoPath, loaderOptions);
    loaded = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return loaded.keelson.runtime.v1;
}
