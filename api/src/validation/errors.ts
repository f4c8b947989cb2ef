// Helpers to build field errors with Kubernetes-style field paths.
import type { CauseType, FieldError } from '../errors';

/** A field path as Kubernetes prints it: `spec.template.spec.containers[0].image`. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(name = ''): FieldPath {
    return new FieldPath(name);
  }

  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

function make(type: CauseType, path: FieldPath, value: unknown, detail: string | undefined, withValue: boolean): FieldError {
  const e: FieldError = { type, field: path.toString() };
  if (withValue) e.value = value;
  if (detail) e.detail = detail;
  return e;
}

export const fieldErr = {
  required: (p: FieldPath, detail?: string): FieldError => make('FieldValueRequired', p, undefined, detail, false),
  invalid: (p: FieldPath, value: unknown, detail: string): FieldError => make('FieldValueInvalid', p, value, detail, true),
  notSupported: (p: FieldPath, value: unknown, supported: readonly string[]): FieldError =>
    make('FieldValueNotSupported', p, value, `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`, true),
  notFound: (p: FieldPath, value: unknown): FieldError => make('FieldValueNotFound', p, value, undefined, true),
  duplicate: (p: FieldPath, value: unknown): FieldError => make('FieldValueDuplicate', p, value, undefined, true),
  forbidden: (p: FieldPath, detail: string): FieldError => make('FieldValueForbidden', p, undefined, detail, false),
  tooLong: (p: FieldPath, max: number): FieldError => make('FieldValueTooLong', p, undefined, `may not be more than ${max} bytes`, false),
  typeInvalid: (p: FieldPath, value: unknown, detail: string): FieldError => make('FieldValueTypeInvalid', p, value, detail, true),
  immutable: (p: FieldPath, value: unknown): FieldError => make('FieldValueInvalid', p, value, 'field is immutable', true),
};
