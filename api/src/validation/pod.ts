// PodSpec rules: containers, ports, volumes, probes, resources, policies; what a pod update may change.
import type { FieldError } from '../errors';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName } from '../names';
import { compare, isValidQuantity, parseQuantity } from '../quantity';
import type { Container, PodSpec, Probe, ResourceRequirements } from '../types/core';
import { type FieldPath, fieldErr } from './errors';
import { validateLabels } from './meta';

const protocols = ['TCP', 'UDP', 'SCTP'];
const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const pullPolicies = ['Always', 'Never', 'IfNotPresent'];
const tolerationOperators = ['Exists', 'Equal'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function inRange(n: number, lo: number, hi: number): boolean {
  return Number.isInteger(n) && n >= lo && n <= hi;
}

function validateResources(r: ResourceRequirements | undefined, at: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const limits = (r?.limits ?? {}) as Record<string, string | number>;
  const requests = (r?.requests ?? {}) as Record<string, string | number>;
  for (const [which, list] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, raw] of Object.entries(list)) {
      const p = at.child(which).key(name);
      const s = String(raw);
      if (!isValidQuantity(s)) {
        errs.push(fieldErr.invalid(p, raw, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      } else if (parseQuantity(s).sign() < 0) {
        errs.push(fieldErr.invalid(p, raw, 'must be greater than or equal to 0'));
      }
    }
  }
  for (const [name, raw] of Object.entries(requests)) {
    const lim = limits[name];
    if (lim === undefined || !isValidQuantity(String(raw)) || !isValidQuantity(String(lim))) continue;
    if (compare(parseQuantity(String(raw)), parseQuantity(String(lim))) > 0) {
      errs.push(fieldErr.invalid(at.child('requests').key(name), raw, `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  return errs;
}

function validateProbe(probe: Probe | undefined, at: FieldPath): FieldError[] {
  if (!probe) return [];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => (probe as Record<string, unknown>)[h] !== undefined);
  if (handlers.length === 0) errs.push(fieldErr.required(at, 'must specify a handler type'));
  if (handlers.length > 1) errs.push(fieldErr.forbidden(at.child(handlers[1] ?? ''), 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = probe[f];
    if (v !== undefined && v < 0) errs.push(fieldErr.invalid(at.child(f), v, 'must be greater than or equal to 0'));
  }
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  const portAt = at.child(probe.httpGet ? 'httpGet' : 'tcpSocket').child('port');
  if (typeof port === 'number' && !inRange(port, 1, 65535)) errs.push(fieldErr.invalid(portAt, port, 'must be between 1 and 65535, inclusive'));
  if (typeof port === 'string') for (const msg of isValidPortName(port)) errs.push(fieldErr.invalid(portAt, port, msg));
  return errs;
}

function validateContainer(c: Container, at: FieldPath, volumes: Set<string>, isInit: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(fieldErr.required(at.child('name')));
  else for (const msg of isDNS1123Label(c.name)) errs.push(fieldErr.invalid(at.child('name'), c.name, msg));
  if (!c.image || c.image.trim() === '') errs.push(fieldErr.required(at.child('image')));
  if (c.imagePullPolicy !== undefined && !pullPolicies.includes(c.imagePullPolicy)) {
    errs.push(fieldErr.notSupported(at.child('imagePullPolicy'), c.imagePullPolicy, pullPolicies));
  }
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const pp = at.child('ports').index(i);
    if (!inRange(port.containerPort, 1, 65535)) {
      errs.push(fieldErr.invalid(pp.child('containerPort'), port.containerPort, 'must be between 1 and 65535, inclusive'));
    }
    if (port.hostPort !== undefined && !inRange(port.hostPort, 0, 65535)) {
      errs.push(fieldErr.invalid(pp.child('hostPort'), port.hostPort, 'must be between 0 and 65535, inclusive'));
    }
    if (port.protocol !== undefined && !protocols.includes(port.protocol)) {
      errs.push(fieldErr.notSupported(pp.child('protocol'), port.protocol, protocols));
    }
    if (port.name !== undefined) {
      for (const msg of isValidPortName(port.name)) errs.push(fieldErr.invalid(pp.child('name'), port.name, msg));
      if (portNames.has(port.name)) errs.push(fieldErr.duplicate(pp.child('name'), port.name));
      portNames.add(port.name);
    }
  });
  (c.env ?? []).forEach((e, i) => {
    const ep = at.child('env').index(i);
    if (!e.name) errs.push(fieldErr.required(ep.child('name')));
    else if (!envVarName.test(e.name)) {
      errs.push(fieldErr.invalid(ep.child('name'), e.name, "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"));
    }
    if (e.value !== undefined && e.valueFrom !== undefined) {
      errs.push(fieldErr.invalid(ep.child('valueFrom'), '', 'may not be specified when `value` is not empty'));
    }
  });
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const mp = at.child('volumeMounts').index(i);
    if (!m.name) errs.push(fieldErr.required(mp.child('name')));
    else if (!volumes.has(m.name)) errs.push(fieldErr.notFound(mp.child('name'), m.name));
    if (!m.mountPath) errs.push(fieldErr.required(mp.child('mountPath')));
    else if (mountPaths.has(m.mountPath)) errs.push(fieldErr.invalid(mp.child('mountPath'), m.mountPath, 'must be unique'));
    else mountPaths.add(m.mountPath);
  });
  errs.push(...validateResources(c.resources, at.child('resources')));
  if (isInit) {
    // Init containers run to completion; probes are not allowed on them (sidecars aside).
    if (c.livenessProbe && c.restartPolicy !== 'Always') errs.push(fieldErr.forbidden(at.child('livenessProbe'), 'may not be set for init containers without restartPolicy=Always'));
    if (c.readinessProbe) errs.push(fieldErr.forbidden(at.child('readinessProbe'), 'may not be set for init containers'));
  } else {
    errs.push(...validateProbe(c.livenessProbe, at.child('livenessProbe')));
    errs.push(...validateProbe(c.readinessProbe, at.child('readinessProbe')));
    errs.push(...validateProbe(c.startupProbe, at.child('startupProbe')));
    if (c.livenessProbe?.successThreshold !== undefined && c.livenessProbe.successThreshold !== 1) {
      errs.push(fieldErr.invalid(at.child('livenessProbe').child('successThreshold'), c.livenessProbe.successThreshold, 'must be 1'));
    }
  }
  return errs;
}

export interface PodSpecRules {
  /** Restart policies a controller's template allows (Deployments: Always only). */
  restartPolicies?: readonly string[];
}

export function validatePodSpec(spec: PodSpec | undefined, at: FieldPath, rules: PodSpecRules = {}): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec) return [fieldErr.required(at)];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const vp = at.child('volumes').index(i);
    if (!v.name) errs.push(fieldErr.required(vp.child('name')));
    else {
      for (const msg of isDNS1123Label(v.name)) errs.push(fieldErr.invalid(vp.child('name'), v.name, msg));
      if (volumes.has(v.name)) errs.push(fieldErr.duplicate(vp.child('name'), v.name));
      volumes.add(v.name);
    }
  });
  if (!spec.containers || spec.containers.length === 0) errs.push(fieldErr.required(at.child('containers')));
  const names = new Set<string>();
  const checkUnique = (c: Container, p: FieldPath): void => {
    if (!c.name) return;
    if (names.has(c.name)) errs.push(fieldErr.duplicate(p.child('name'), c.name));
    names.add(c.name);
  };
  (spec.initContainers ?? []).forEach((c, i) => {
    const cp = at.child('initContainers').index(i);
    errs.push(...validateContainer(c, cp, volumes, true));
    checkUnique(c, cp);
  });
  (spec.containers ?? []).forEach((c, i) => {
    const cp = at.child('containers').index(i);
    errs.push(...validateContainer(c, cp, volumes, false));
    checkUnique(c, cp);
  });
  const allowedRestart = rules.restartPolicies ?? restartPolicies;
  if (spec.restartPolicy !== undefined && !allowedRestart.includes(spec.restartPolicy)) {
    errs.push(fieldErr.notSupported(at.child('restartPolicy'), spec.restartPolicy, allowedRestart));
  }
  if (spec.dnsPolicy !== undefined && !dnsPolicies.includes(spec.dnsPolicy)) {
    errs.push(fieldErr.notSupported(at.child('dnsPolicy'), spec.dnsPolicy, dnsPolicies));
  }
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.push(fieldErr.invalid(at.child('terminationGracePeriodSeconds'), spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds <= 0) {
    errs.push(fieldErr.invalid(at.child('activeDeadlineSeconds'), spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.hostname !== undefined) for (const msg of isDNS1123Label(spec.hostname)) errs.push(fieldErr.invalid(at.child('hostname'), spec.hostname, msg));
  if (spec.nodeName !== undefined && spec.nodeName !== '') {
    for (const msg of isDNS1123Subdomain(spec.nodeName)) errs.push(fieldErr.invalid(at.child('nodeName'), spec.nodeName, msg));
  }
  errs.push(...validateLabels(spec.nodeSelector, at.child('nodeSelector')));
  (spec.tolerations ?? []).forEach((t, i) => {
    const tp = at.child('tolerations').index(i);
    if (t.operator !== undefined && !tolerationOperators.includes(t.operator)) errs.push(fieldErr.notSupported(tp.child('operator'), t.operator, tolerationOperators));
    if (t.operator === 'Exists' && t.value) errs.push(fieldErr.invalid(tp.child('operator'), t.operator, 'value must be empty when `operator` is \'Exists\''));
    if (!t.key && t.operator !== 'Exists') errs.push(fieldErr.invalid(tp.child('operator'), t.operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    if (t.effect !== undefined && t.effect !== '' && !taintEffects.includes(t.effect)) errs.push(fieldErr.notSupported(tp.child('effect'), t.effect, taintEffects));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(fieldErr.invalid(tp.child('effect'), t.effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
  });
  return errs;
}

/**
 * A pod's spec is immutable once created except for container images, activeDeadlineSeconds,
 * added tolerations and, once, spec.nodeName (set by binding).
 */
export function validatePodSpecUpdate(spec: PodSpec | undefined, old: PodSpec | undefined, at: FieldPath): FieldError[] {
  if (!spec || !old) return [];
  const errs: FieldError[] = [];
  if (old.nodeName && spec.nodeName !== old.nodeName) errs.push(fieldErr.immutable(at.child('nodeName'), spec.nodeName));
  const mutable = (s: PodSpec): unknown => {
    const copy = structuredClone(s) as Record<string, unknown> & PodSpec;
    for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) c.image = '';
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    delete copy.nodeName;
    return copy;
  };
  if (JSON.stringify(mutable(spec)) !== JSON.stringify(mutable(old))) {
    errs.push(
      fieldErr.forbidden(
        at,
        'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      ),
    );
  }
  const oldTol = new Set((old.tolerations ?? []).map((t) => JSON.stringify(t)));
  for (const t of oldTol) {
    if (!(spec.tolerations ?? []).some((n) => JSON.stringify(n) === t)) {
      errs.push(fieldErr.forbidden(at.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  return errs;
}
