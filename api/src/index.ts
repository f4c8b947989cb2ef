// Public surface of @keelson/api: object types, errors, registry, validation, defaulting, quantities, selectors.
export * from './types/meta';
export * from './types/core';
export * from './types/apps';
export * from './types/batch';
export * from './types/others';
export * from './errors';
export * from './registry';
export { withDefaults, defaultPodSpec, defaultPullPolicy } from './defaults';
export { validateObject, assertValid, assertWellTyped, validateSchema, fieldPathFromPointer, isValidCronSchedule, FieldPath, fieldErr } from './validation';
export {
  Quantity,
  QuantityParseError,
  parseQuantity,
  isValidQuantity,
  newQuantity,
  newMilliQuantity,
  compare as compareQuantities,
  add as addQuantities,
  sub as subQuantities,
  format as formatQuantity,
  milliValue,
  value as quantityValue,
  toNumber as quantityToNumber,
  isZero as isZeroQuantity,
  sign as quantitySign,
  type QuantityFormat,
} from './quantity';
export {
  Selector,
  SelectorParseError,
  parseSelector,
  isValidSelector,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelKey,
  validateLabelValue,
  isQualifiedName,
  type Requirement,
  type SelectorOperator,
  type Labels,
} from './labels';
export { FieldSelector, parseFieldSelector, isValidFieldSelector, fieldSelectorFromSet, type FieldRequirement, type Fields } from './fields';
export { isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isValidPortName, isValidPortNum } from './names';
export {
  openapiSchemaFile,
  openapiDefinitions,
  definitionNameOf,
  resolveSchema,
  isOpaqueObject,
  pruneUnknownFields,
  refName,
  type GroupVersionKind,
  type SchemaObject,
  type SchemaFile,
} from './openapi';
export { fieldMeta, isAtomicType, patchStrategies, rootType, type FieldMeta, type PatchStrategy } from './patchmeta';
