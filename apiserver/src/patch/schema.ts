// Per-kind merge metadata for the patch code: the table lives in @keelson/api (patchmeta.ts), shared with clients.
export { fieldMeta, isAtomicType, patchStrategies, rootType, type FieldMeta, type PatchStrategy } from '@keelson/api';
