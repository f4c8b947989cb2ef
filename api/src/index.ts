// Public surface of @keelson/api: object types, errors, registry, validation, defaulting, quantities, selectors.
export * from './types/meta';
export * from './types/core';
export * from './types/apps';
export * from './types/batch';
export * from './types/others';
export * from './errors';
export * from './registry';
export { withDefaults, defaultPodSpec, defaultPullPolicy } from './defaults';
export { validateObject, assertValid, validateSchema, fieldPathFromPointer, isValidCronSchedule, FieldPath, fieldErr } from './validation';
