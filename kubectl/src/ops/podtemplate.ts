// A pod template as `kubectl describe` prints one (`Pod Template:` …), for `rollout history --revision`.
import type { Container, PodTemplateSpec, Probe, Volume } from '@keelson/api';

/** Annotations describe never prints. */
const skipAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const maxAnnotationLen = 140;

const indent = (level: number): string => '  '.repeat(level);

function labelsMultiline(title: string, labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return `${title}:\t<none>\n`;
  return keys.map((k, i) => `${i === 0 ? `${title}:\t` : '\t'}${k}=${labels?.[k] ?? ''}\n`).join('');
}

function annotationsMultiline(title: string, annotations: Readonly<Record<string, string>>): string {
  const keys = Object.keys(annotations).filter((k) => !skipAnnotations.has(k)).sort();
  if (keys.length === 0) return `${title}:\t<none>\n`;
  let out = `${title}:\t`;
  keys.forEach((key, i) => {
    if (i !== 0) out += '\t';
    const value = (annotations[key] ?? '').replace(/\n$/, '');
    if (value.length + key.length + 2 > maxAnnotationLen || value.includes('\n')) {
      out += `${key}:\n`;
      for (const s of value.split('\n')) out += `\t  ${s.length > maxAnnotationLen - 2 ? `${s.slice(0, maxAnnotationLen - 2)}...` : s}\n`;
    } else {
      out += `${key}: ${value}\n`;
    }
  });
  return out;
}

function ports(c: Container, host: boolean): string {
  return (c.ports ?? [])
    .map((p) => {
      const s = `${host ? (p.hostPort ?? 0) : p.containerPort}/${p.protocol ?? 'TCP'}`;
      return p.name ? `${s} (${p.name})` : s;
    })
    .join(', ');
}

/** `http-get http://:8080/healthz delay=0s timeout=1s period=10s …`, as kubectl's DescribeProbe. */
export function describeProbe(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s successThreshold=${p.successThreshold ?? 0} failureThreshold=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const port = String(p.httpGet.port);
    const host = p.httpGet.host ?? '';
    const hostPort = port === '' ? host : `${host.includes(':') ? `[${host}]` : host}:${port}`;
    return `http-get ${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${hostPort}${p.httpGet.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${String(p.tcpSocket.port)} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function container(c: Container): string {
  let out = `${indent(1)} ${c.name}:\n`;
  out += `${indent(2)}Image:\t${c.image ?? ''}\n`;
  const p = ports(c, false);
  out += p.includes(',') ? `${indent(2)}Ports:\t${p}\n` : `${indent(2)}Port:\t${p || '<none>'}\n`;
  const hp = ports(c, true);
  out += hp.includes(',') ? `${indent(2)}Host Ports:\t${hp}\n` : `${indent(2)}Host Port:\t${hp || '<none>'}\n`;
  if ((c.command ?? []).length > 0) out += `${indent(2)}Command:\n${(c.command ?? []).flatMap((s) => s.split('\n')).map((s) => `${indent(3)}${s}\n`).join('')}`;
  if ((c.args ?? []).length > 0) out += `${indent(2)}Args:\n${(c.args ?? []).flatMap((s) => s.split('\n')).map((s) => `${indent(3)}${s}\n`).join('')}`;
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  if (Object.keys(limits).length > 0) out += `${indent(2)}Limits:\n${Object.keys(limits).sort().map((k) => `${indent(3)}${k}:\t${String(limits[k])}\n`).join('')}`;
  if (Object.keys(requests).length > 0) out += `${indent(2)}Requests:\n${Object.keys(requests).sort().map((k) => `${indent(3)}${k}:\t${String(requests[k])}\n`).join('')}`;
  if (c.livenessProbe) out += `${indent(2)}Liveness:\t${describeProbe(c.livenessProbe)}\n`;
  if (c.readinessProbe) out += `${indent(2)}Readiness:\t${describeProbe(c.readinessProbe)}\n`;
  if (c.startupProbe) out += `${indent(2)}Startup:\t${describeProbe(c.startupProbe)}\n`;
  if ((c.envFrom ?? []).length > 0) {
    out += `${indent(2)}Environment Variables from:\n`;
    for (const e of c.envFrom ?? []) {
      const [from, name, optional] = e.configMapRef ? ['ConfigMap', e.configMapRef.name ?? '', e.configMapRef.optional === true] : ['Secret', e.secretRef?.name ?? '', e.secretRef?.optional === true];
      out += e.prefix ? `${indent(3)}${name}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}\n` : `${indent(3)}${name}\t${from}\tOptional: ${optional}\n`;
    }
  }
  const env = c.env ?? [];
  out += `${indent(2)}Environment:${env.length === 0 ? '\t<none>' : ''}\n`;
  for (const e of env) {
    const from = e.valueFrom;
    if (from === undefined) {
      (e.value ?? '').split('\n').forEach((s, i) => (out += i === 0 ? `${indent(3)}${e.name}:\t${s}\n` : `${indent(3)}\t${s}\n`));
    } else if (from.fieldRef) out += `${indent(3)}${e.name}:\t (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})\n`;
    else if (from.resourceFieldRef) out += `${indent(3)}${e.name}:\t (${from.resourceFieldRef.resource})\n`;
    else if (from.secretKeyRef) out += `${indent(3)}${e.name}:\t<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name ?? ''}'>\tOptional: ${from.secretKeyRef.optional === true}\n`;
    else if (from.configMapKeyRef) out += `${indent(3)}${e.name}:\t<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name ?? ''}'>\tOptional: ${from.configMapKeyRef.optional === true}\n`;
  }
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
  out += `${indent(2)}Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`;
  for (const m of mounts) {
    const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
    out += `${indent(3)}${m.mountPath} from ${m.name} (${flags.join(',')})\n`;
  }
  return out;
}

function volume(v: Volume): string {
  let out = `${indent(1)} ${v.name}:\n`;
  const l2 = indent(2);
  if (v.hostPath) out += `${l2}Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type ?? '<none>'}\n`;
  else if (v.emptyDir) out += `${l2}Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${v.emptyDir.sizeLimit !== undefined ? String(v.emptyDir.sizeLimit) : '<unset>'}\n`;
  else if (v.secret) out += `${l2}Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ''}\n    Optional:\t${v.secret.optional === true}\n`;
  else if (v.configMap) out += `${l2}Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ''}\n    Optional:\t${v.configMap.optional === true}\n`;
  else if (v.persistentVolumeClaim) out += `${l2}Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${v.persistentVolumeClaim.claimName}\n    ReadOnly:\t${v.persistentVolumeClaim.readOnly === true}\n`;
  else out += `${l2}<unknown>\n`;
  return out;
}

/** `Pod Template:` and what kubectl's DescribePodTemplate prints under it (tabs included, as kubectl leaves them). */
export function describePodTemplate(t: PodTemplateSpec | undefined): string {
  if (t === undefined) return 'Pod Template:\n  <unset>';
  const spec = t.spec;
  let out = 'Pod Template:\n';
  out += labelsMultiline('  Labels', t.metadata?.labels);
  const annotations = t.metadata?.annotations ?? {};
  if (Object.keys(annotations).length > 0) out += annotationsMultiline('  Annotations', annotations);
  if (spec?.serviceAccountName) out += `  Service Account:\t${spec.serviceAccountName}\n`;
  const init = spec?.initContainers ?? [];
  if (init.length > 0) out += `  Init Containers:\n${init.map(container).join('')}`;
  const containers = spec?.containers ?? [];
  out += `  Containers:${containers.length === 0 ? ' <none>' : ''}\n${containers.map(container).join('')}`;
  const volumes = spec?.volumes ?? [];
  out += volumes.length === 0 ? '  Volumes:\t<none>\n' : `  Volumes:\n${volumes.map(volume).join('')}`;
  if (spec?.priorityClassName) out += `  Priority Class Name:\t${spec.priorityClassName}\n`;
  out += labelsMultiline('  Node-Selectors', spec?.nodeSelector);
  const tolerations = [...(spec?.tolerations ?? [])].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
  if (tolerations.length === 0) out += '  Tolerations:\t<none>\n';
  else {
    tolerations.forEach((tol, i) => {
      let s = i === 0 ? '  Tolerations:\t' : '\t';
      s += tol.key ?? '';
      if (tol.value) s += `=${tol.value}`;
      if (tol.effect) s += `:${tol.effect}`;
      if (tol.operator === 'Exists' && !tol.value) s += tol.key || tol.effect ? ' op=Exists' : 'op=Exists';
      if (tol.tolerationSeconds !== undefined) s += ` for ${tol.tolerationSeconds}s`;
      out += `${s}\n`;
    });
  }
  return out;
}
