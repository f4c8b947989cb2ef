// ObjectMeta rules: names, namespaces, labels, annotations, owner references.
import type { FieldError } from '../errors';
import { validateLabelKey, validateLabelValue } from '../labels';
import { isDNS1123Label, isDNS1123Subdomain, isDNS1035Label } from '../names';
import type { ResourceInfo } from '../registry';
import type { ObjectMeta } from '../types/meta';
import { FieldPath, fieldErr } from './errors';

/** How a kind's names are checked, as each kind's Kubernetes validation does. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label';

const nameRules: Record<string, NameRule> = {
  Namespace: 'dns1123-label',
  Service: 'dns1035-label',
};

export function nameRuleFor(kind: string): NameRule {
  return nameRules[kind] ?? 'dns1123-subdomain';
}

export function checkName(rule: NameRule, name: string): string[] {
  switch (rule) {
    case 'dns1123-label':
      return isDNS1123Label(name);
    case 'dns1035-label':
      return isDNS1035Label(name);
    default:
      return isDNS1123Subdomain(name);
  }
}

const totalAnnotationSizeLimit = 256 * 1024;

export function validateLabels(labels: Record<string, string> | undefined, at: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of validateLabelKey(k)) errs.push(fieldErr.invalid(at, k, msg));
    for (const msg of validateLabelValue(v)) errs.push(fieldErr.invalid(at, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, at: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of validateLabelKey(k.toLowerCase())) errs.push(fieldErr.invalid(at, k, msg));
    total += k.length + v.length;
  }
  if (total > totalAnnotationSizeLimit) errs.push(fieldErr.tooLong(at, totalAnnotationSizeLimit));
  return errs;
}

/** Checks metadata of a new or updated object of the given resource. */
export function validateObjectMeta(info: ResourceInfo, meta: ObjectMeta | undefined, at = FieldPath.root('metadata')): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const rule = nameRuleFor(info.kind);
  if (!m.name) {
    if (!m.generateName) errs.push(fieldErr.required(at.child('name'), 'name or generateName is required'));
    else {
      // generateName is checked with a placeholder suffix, as Kubernetes does.
      const trimmed = m.generateName.replace(/-$/, '');
      for (const msg of checkName(rule, trimmed === '' ? 'a' : trimmed)) {
        errs.push(fieldErr.invalid(at.child('generateName'), m.generateName, msg));
      }
    }
  } else {
    for (const msg of checkName(rule, m.name)) errs.push(fieldErr.invalid(at.child('name'), m.name, msg));
  }
  if (info.namespaced) {
    if (!m.namespace) errs.push(fieldErr.required(at.child('namespace')));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(fieldErr.invalid(at.child('namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErr.forbidden(at.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...validateLabels(m.labels, at.child('labels')));
  errs.push(...validateAnnotations(m.annotations, at.child('annotations')));
  let controllers = 0;
  (m.ownerReferences ?? []).forEach((ref, i) => {
    const rp = at.child('ownerReferences').index(i);
    if (!ref.apiVersion) errs.push(fieldErr.invalid(rp.child('apiVersion'), ref.apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErr.invalid(rp.child('kind'), ref.kind, 'kind must not be empty'));
    if (!ref.name) errs.push(fieldErr.invalid(rp.child('name'), ref.name, 'name must not be empty'));
    if (!ref.uid) errs.push(fieldErr.invalid(rp.child('uid'), ref.uid, 'uid must not be empty'));
    if (ref.controller) controllers++;
  });
  if (controllers > 1) {
    errs.push(fieldErr.invalid(at.child('ownerReferences'), undefined, 'Only one reference can have Controller set to true'));
  }
  (m.finalizers ?? []).forEach((f, i) => {
    for (const msg of validateLabelKey(f)) errs.push(fieldErr.invalid(at.child('finalizers').index(i), f, msg));
  });
  return errs;
}

/** Metadata fields that may never change once an object exists. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, at = FieldPath.root('metadata')): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const o = old ?? {};
  if (m.name !== o.name) errs.push(fieldErr.immutable(at.child('name'), m.name));
  if ((m.namespace ?? '') !== (o.namespace ?? '')) errs.push(fieldErr.immutable(at.child('namespace'), m.namespace));
  if (o.uid && m.uid && m.uid !== o.uid) errs.push(fieldErr.immutable(at.child('uid'), m.uid));
  if (o.creationTimestamp && m.creationTimestamp && m.creationTimestamp !== o.creationTimestamp) {
    errs.push(fieldErr.immutable(at.child('creationTimestamp'), m.creationTimestamp));
  }
  return errs;
}
