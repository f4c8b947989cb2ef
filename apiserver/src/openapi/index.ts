// OpenAPI for the API server: the served documents (/openapi/v2, /openapi/v3) and fieldValidation of write bodies, from the generated definitions.
export { openapiRouter } from './handler';
export { swaggerDocument, v3Document, v3Documents, groupVersionKey, addPatchMetadata, toV3Schema } from './documents';
export { groupVersionPaths, groupVersions, groupVersionName, groupVersionTag, groupVersionPrefix, resourcePaths } from './paths';
export { checkFields, scanJsonKeys, warningSink, withFieldChecks, type BodyKeys, type FieldCheckOptions, type FieldValidation } from './fieldvalidation';
export type * from './types';
