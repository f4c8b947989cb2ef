// Original file: proto/runtime.proto

export const NamespaceMode = {
  POD: 'POD',
  CONTAINER: 'CONTAINER',
  NODE: 'NODE',
} as const;

export type NamespaceMode =
  | 'POD'
  | 0
  | 'CONTAINER'
  | 1
  | 'NODE'
  | 2

export type NamespaceMode__Output = typeof NamespaceMode[keyof typeof NamespaceMode]
