// A container's environment as the kubelet builds it: envFrom, then env (value with $(VAR) expansion, fieldRef,
// resourceFieldRef, configMapKeyRef, secretKeyRef); and $(VAR) expansion of command and args.
import { isStatusError, type ConfigMap, type Container, type Pod, type Secret } from '@keelson/api';
import type { RestClient } from '@keelson/client';
import { fieldRefValue, resourceFieldRefValue } from './fields';

/** A container cannot be configured (missing ConfigMap/Secret/key): status reason CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/**
 * Kubernetes' expansion: `$(VAR)` becomes VAR's value when defined, and stays as written otherwise; `$$` is a literal `$`.
 */
export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = vars.get(name);
      out += value !== undefined ? value : input.slice(i, close + 1);
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** Reads ConfigMaps and Secrets through the API, memoised for one sync. */
export function apiEnvSources(client: RestClient): EnvSources {
  const cms = new Map<string, Promise<ConfigMap | undefined>>();
  const secrets = new Map<string, Promise<Secret | undefined>>();
  const get = async <T>(fn: () => Promise<unknown>): Promise<T | undefined> => {
    try {
      return (await fn()) as T;
    } catch (e: unknown) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  };
  return {
    configMap: (ns, name) => {
      const key = `${ns}/${name}`;
      let p = cms.get(key);
      if (p === undefined) cms.set(key, (p = get<ConfigMap>(() => client.resource('v1', 'ConfigMap').namespace(ns).get(name))));
      return p;
    },
    secret: (ns, name) => {
      const key = `${ns}/${name}`;
      let p = secrets.get(key);
      if (p === undefined) secrets.set(key, (p = get<Secret>(() => client.resource('v1', 'Secret').namespace(ns).get(name))));
      return p;
    },
  };
}

const secretValue = (s: Secret, key: string): string | undefined => {
  const b64 = s.data?.[key];
  return b64 !== undefined ? Buffer.from(b64, 'base64').toString('utf8') : s.stringData?.[key];
};

/** The container's environment in order (later entries win), or a ContainerConfigError. */
export async function containerEnv(pod: Pod, container: Container, sources: EnvSources, nodeAllocatable: Record<string, string> = {}): Promise<Map<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = await sources.configMap(ns, name);
      if (cm === undefined) {
        if (from.configMapRef.optional === true) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const s = await sources.secret(ns, name);
      if (s === undefined) {
        if (from.secretRef.optional === true) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const k of Object.keys({ ...s.data, ...s.stringData })) vars.set(prefix + k, secretValue(s, k) ?? '');
    }
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom === undefined) {
      vars.set(e.name, expand(e.value ?? '', vars));
      continue;
    }
    const from = e.valueFrom;
    if (from.fieldRef) vars.set(e.name, fieldRefValue(pod, from.fieldRef.fieldPath));
    else if (from.resourceFieldRef) vars.set(e.name, resourceFieldRefValue(pod, from.resourceFieldRef, container.name, nodeAllocatable));
    else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = await sources.configMap(ns, ref.name ?? '');
      const value = cm?.data?.[ref.key];
      if (value === undefined) {
        if (ref.optional === true) continue;
        throw new ContainerConfigError(cm === undefined ? `configmap "${ref.name ?? ''}" not found` : `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ''}`);
      }
      vars.set(e.name, value);
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const s = await sources.secret(ns, ref.name ?? '');
      const value = s === undefined ? undefined : secretValue(s, ref.key);
      if (value === undefined) {
        if (ref.optional === true) continue;
        throw new ContainerConfigError(s === undefined ? `secret "${ref.name ?? ''}" not found` : `couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ''}`);
      }
      vars.set(e.name, value);
    }
  }
  return vars;
}
