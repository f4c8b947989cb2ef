// Resource arithmetic the scheduler runs on: plain numbers (milli-CPU, bytes, counts) parsed once from quantities.
import { milliValue, parseQuantity, quantityValue, type Container, type Pod } from '@keelson/api';

/** What a pod asks for, or a node has used: cpu in milli-cores, memory and ephemeral storage in bytes. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and other countable resources (`nvidia.com/gpu`, `hugepages-2Mi`, …) by name. */
  scalar: Map<string, number>;
}

/** A node's `status.allocatable`, with the pod count Kubernetes keeps apart. */
export interface Allocatable extends Resources {
  pods: number;
}

/** cpu and memory as the scorers see a request: a container that names none counts as 100m / 200Mi. */
export interface NonZeroRequests {
  milliCPU: number;
  memory: number;
}

/** Kubernetes' schedutil.DefaultMilliCPURequest and DefaultMemoryRequest. */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

type ResourceList = Readonly<Record<string, string | number>> | undefined;

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

// Pods of one workload repeat the same few strings ("100m", "128Mi"): parse each once.
const parsed = new Map<string, { milli: number; value: number }>();
const maxParsed = 10_000;

function quantity(raw: string | number): { milli: number; value: number } {
  const s = String(raw);
  let q = parsed.get(s);
  if (q === undefined) {
    let milli = 0;
    let value = 0;
    try {
      const parsedQ = parseQuantity(s);
      milli = Number(milliValue(parsedQ));
      value = Number(quantityValue(parsedQ));
    } catch {
      // The API server validates quantities; an unparsable one (impossible in practice) counts as zero.
    }
    q = { milli, value };
    if (parsed.size >= maxParsed) parsed.clear();
    parsed.set(s, q);
  }
  return q;
}

/** Adds a ResourceList into `into` (cpu as milli-cores, everything else as whole units). */
export function addResourceList(into: Resources, list: ResourceList): void {
  if (list === undefined) return;
  for (const [name, raw] of Object.entries(list)) {
    const q = quantity(raw);
    switch (name) {
      case 'cpu':
        into.milliCPU += q.milli;
        break;
      case 'memory':
        into.memory += q.value;
        break;
      case 'ephemeral-storage':
        into.ephemeralStorage += q.value;
        break;
      case 'pods':
      case 'storage':
        break;
      default:
        into.scalar.set(name, (into.scalar.get(name) ?? 0) + q.value);
    }
  }
}

function addResources(into: Resources, r: Resources): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + v);
}

function maxResources(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

function cloneResources(r: Resources): Resources {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: new Map(r.scalar) };
}

/** Adds `sign` × `r` into `into` (sign −1 removes). */
export function accumulate(into: Resources, r: Resources, sign: 1 | -1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of r.scalar) {
    const next = (into.scalar.get(k) ?? 0) + sign * v;
    if (next === 0) into.scalar.delete(k);
    else into.scalar.set(k, next);
  }
}

function isRestartable(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/**
 * A pod's effective request as Kubernetes counts it (component-helpers resource.PodRequests):
 * the sum of its containers and of its restartable init containers (sidecars, which keep
 * running); at least the largest single init container plus the sidecars started before it
 * (init containers run one at a time); plus `spec.overhead`. With `nonMissing`, a container
 * that names no cpu or memory request counts as 100m / 200Mi, as the scorers want it.
 */
export function podRequests(pod: Pod, nonMissing = false): Resources {
  const spec = pod.spec;
  const containerReqs = (c: Container): Resources => {
    const r = emptyResources();
    const req = c.resources?.requests as ResourceList;
    addResourceList(r, req);
    if (nonMissing) {
      if (req?.['cpu'] === undefined) r.milliCPU = defaultMilliCPURequest;
      if (req?.['memory'] === undefined) r.memory = defaultMemoryRequest;
    }
    return r;
  };
  const reqs = emptyResources();
  for (const c of spec?.containers ?? []) addResources(reqs, containerReqs(c));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of spec?.initContainers ?? []) {
    const r = containerReqs(c);
    if (isRestartable(c)) {
      addResources(reqs, r);
      addResources(sidecars, r);
      maxResources(initMax, sidecars);
    } else {
      const withSidecars = cloneResources(r);
      addResources(withSidecars, sidecars);
      maxResources(initMax, withSidecars);
    }
  }
  maxResources(reqs, initMax);
  addResourceList(reqs, spec?.overhead);
  return reqs;
}

/** A node's `status.allocatable` as numbers; a missing `pods` entry allows none, as in Kubernetes. */
export function allocatableOf(list: ResourceList): Allocatable {
  const r = emptyResources();
  addResourceList(r, list);
  const pods = list?.['pods'];
  return { ...r, pods: pods === undefined ? 0 : quantity(pods).value };
}
