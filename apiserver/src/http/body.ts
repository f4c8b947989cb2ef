// Decodes request bodies: JSON and YAML objects, with clear 400/415 errors.
import { loadAll, YAMLException } from 'js-yaml';
import { BadRequestError, UnsupportedMediaTypeError, type KubeObject } from '@keelson/api';

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function yamlErrorText(e: unknown): string {
  if (e instanceof YAMLException) {
    // js-yaml's mark is missing for some errors (e.g. a bad document stream).
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    return mark ? `${e.reason} at line ${mark.line + 1}, column ${mark.column + 1}` : e.reason;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Parses a create/update body. JSON and YAML are accepted; protobuf and CBOR are not. */
export function decodeObject(raw: Buffer, contentType: string | undefined): KubeObject {
  const type = mediaType(contentType);
  const text = raw.toString('utf8');
  if (text.trim() === '') throw new BadRequestError('the request body is empty: expected a JSON or YAML object');
  let value: unknown;
  if (type === 'application/json' || type === '' || type === '*/*') {
    try {
      value = JSON.parse(text);
    } catch (e: unknown) {
      throw new BadRequestError(`the request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') {
    let docs: unknown[];
    try {
      docs = loadAll(text).filter((d) => d !== null && d !== undefined);
    } catch (e: unknown) {
      throw new BadRequestError(`the request body is not valid YAML: ${yamlErrorText(e)}`);
    }
    if (docs.length > 1) {
      throw new BadRequestError(`the request body holds ${docs.length} YAML documents: send one object per request`);
    }
    value = docs[0] ?? null;
  } else {
    throw new UnsupportedMediaTypeError(type);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestError(`the request body must be an object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value as KubeObject;
}
