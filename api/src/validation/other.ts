// Rules for Service, ConfigMap, Secret, Node, PersistentVolume(Claim), Endpoints, EndpointSlice, Lease.
import type { FieldError } from '../errors';
import { isValidPortName } from '../names';
import type { ConfigMap, Endpoints, Node, PersistentVolumeClaim, Secret, Service } from '../types/core';
import type { EndpointSlice, Lease } from '../types/others';
import { FieldPath, fieldErr } from './errors';
import { validateLabels } from './meta';

const protocols = ['TCP', 'UDP', 'SCTP'];
const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const configKey = /^[-._a-zA-Z0-9]+$/;

function portInRange(v: unknown, at: FieldPath, errs: FieldError[], lo = 1): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > 65535) {
    errs.push(fieldErr.invalid(at, v, `must be between ${lo} and 65535, inclusive`));
  }
}

export function validateService(svc: Service): FieldError[] {
  const at = FieldPath.root('spec');
  const spec = svc.spec;
  if (!spec) return [fieldErr.required(at)];
  const errs: FieldError[] = [];
  const type = spec.type ?? 'ClusterIP';
  if (!serviceTypes.includes(type)) errs.push(fieldErr.notSupported(at.child('type'), type, serviceTypes));
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(fieldErr.required(at.child('externalName')));
  } else if ((spec.ports ?? []).length === 0 && spec.clusterIP !== 'None') {
    errs.push(fieldErr.required(at.child('ports')));
  }
  const ports = spec.ports ?? [];
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const pp = at.child('ports').index(i);
    if (ports.length > 1 && !p.name) errs.push(fieldErr.required(pp.child('name')));
    if (p.name) {
      for (const msg of isValidPortName(p.name)) errs.push(fieldErr.invalid(pp.child('name'), p.name, msg));
      if (names.has(p.name)) errs.push(fieldErr.duplicate(pp.child('name'), p.name));
      names.add(p.name);
    }
    portInRange(p.port, pp.child('port'), errs);
    if (p.protocol !== undefined && !protocols.includes(p.protocol)) errs.push(fieldErr.notSupported(pp.child('protocol'), p.protocol, protocols));
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (seen.has(key)) errs.push(fieldErr.duplicate(pp, { port: p.port, protocol: p.protocol ?? 'TCP' }));
    seen.add(key);
    if (typeof p.targetPort === 'number') portInRange(p.targetPort, pp.child('targetPort'), errs);
    else if (typeof p.targetPort === 'string') {
      for (const msg of isValidPortName(p.targetPort)) errs.push(fieldErr.invalid(pp.child('targetPort'), p.targetPort, msg));
    }
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') {
        errs.push(fieldErr.forbidden(pp.child('nodePort'), 'may not be used when `type` is \'ClusterIP\''));
      } else portInRange(p.nodePort, pp.child('nodePort'), errs);
    }
  });
  errs.push(...validateLabels(spec.selector, at.child('selector')));
  const affinities = ['None', 'ClientIP'];
  if (spec.sessionAffinity !== undefined && !affinities.includes(spec.sessionAffinity)) {
    errs.push(fieldErr.notSupported(at.child('sessionAffinity'), spec.sessionAffinity, affinities));
  }
  if (spec.clusterIP && spec.clusterIP !== 'None' && !/^(\d{1,3})(\.\d{1,3}){3}$|:/.test(spec.clusterIP)) {
    errs.push(fieldErr.invalid(at.child('clusterIP'), spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  const at = FieldPath.root('spec');
  const oldIP = old.spec?.clusterIP;
  const newIP = svc.spec?.clusterIP;
  if (oldIP && svc.spec?.type !== 'ExternalName' && old.spec?.type !== 'ExternalName' && newIP !== oldIP && newIP !== undefined && newIP !== '') {
    errs.push(fieldErr.immutable(at.child('clusterIP'), newIP));
  }
  return errs;
}

function validateDataKeys(data: Record<string, unknown> | undefined, at: FieldPath, errs: FieldError[], seen: Set<string>): void {
  for (const k of Object.keys(data ?? {})) {
    if (!configKey.test(k) || k.length > 253) {
      errs.push(fieldErr.invalid(at.key(k), k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    }
    if (seen.has(k)) errs.push(fieldErr.invalid(at.key(k), k, 'duplicate of key present in another data map'));
    seen.add(k);
  }
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  validateDataKeys(cm.data, FieldPath.root('data'), errs, seen);
  validateDataKeys(cm.binaryData, FieldPath.root('binaryData'), errs, seen);
  return errs;
}

export function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  validateDataKeys(s.data, FieldPath.root('data'), errs, seen);
  validateDataKeys(s.stringData, FieldPath.root('stringData'), errs, new Set());
  for (const [k, v] of Object.entries(s.data ?? {})) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
      errs.push(fieldErr.invalid(FieldPath.root('data').key(k), '<secret contents redacted>', 'must be base64-encoded'));
    }
  }
  return errs;
}

/** ConfigMaps and Secrets marked `immutable: true` may not change their data, nor lose the mark. */
export function validateImmutableData(obj: ConfigMap | Secret, old: ConfigMap | Secret): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(fieldErr.forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
  const dataOf = (o: ConfigMap | Secret): string => JSON.stringify({ d: o.data ?? {}, b: (o as ConfigMap).binaryData ?? {} });
  if (dataOf(obj) !== dataOf(old)) errs.push(fieldErr.forbidden(FieldPath.root('data'), 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs: FieldError[] = [];
  const oldCIDR = old.spec?.podCIDR;
  if (oldCIDR && node.spec?.podCIDR !== oldCIDR) {
    errs.push(fieldErr.forbidden(FieldPath.root('spec').child('podCIDR'), 'node updates may not change podCIDR except from "" to valid'));
  }
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
  (node.spec?.taints ?? []).forEach((t, i) => {
    const tp = FieldPath.root('spec').child('taints').index(i);
    if (!t.key) errs.push(fieldErr.required(tp.child('key')));
    if (!effects.includes(t.effect)) errs.push(fieldErr.notSupported(tp.child('effect'), t.effect, effects));
  });
  return errs;
}

export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const strip = (c: PersistentVolumeClaim): string => {
    const spec = structuredClone(c.spec ?? {});
    delete spec.resources;
    // volumeName may be set once, by binding.
    if (!old.spec?.volumeName) delete spec.volumeName;
    // storageClassName may go from unset to set once (the retroactive default StorageClass, GA in 1.28).
    if (old.spec?.storageClassName === undefined) delete spec.storageClassName;
    return JSON.stringify(spec);
  };
  if (strip(pvc) !== strip(old)) {
    return [fieldErr.forbidden(FieldPath.root('spec'), 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  }
  return [];
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((s, i) => {
    (s.ports ?? []).forEach((p, j) => portInRange(p.port, FieldPath.root('subsets').index(i).child('ports').index(j).child('port'), errs));
  });
  return errs;
}

export function validateEndpointSlice(es: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['IPv4', 'IPv6', 'FQDN'];
  if (!types.includes(es.addressType)) errs.push(fieldErr.notSupported(FieldPath.root('addressType'), es.addressType, types));
  (es.endpoints ?? []).forEach((e, i) => {
    if ((e.addresses ?? []).length === 0) errs.push(fieldErr.required(FieldPath.root('endpoints').index(i).child('addresses')));
  });
  return errs;
}

export function validateLease(lease: Lease): FieldError[] {
  const errs: FieldError[] = [];
  const spec = lease.spec;
  if (spec?.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(fieldErr.invalid(FieldPath.root('spec').child('leaseDurationSeconds'), spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec?.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(fieldErr.invalid(FieldPath.root('spec').child('leaseTransitions'), spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}
