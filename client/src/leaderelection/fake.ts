// An in-memory LeaseClient with compare-and-swap on resourceVersion, for tests of anything that uses Leases.
import { AlreadyExistsError, ConflictError, NotFoundError, type Lease } from '@keelson/api';
import type { LeaseClient, RequestOptions } from './types';

export type LeaseOperation = 'get' | 'create' | 'update';

/** Runs before each call; throw (or return a promise that rejects / never settles) to inject faults. */
export type LeaseFault = (op: LeaseOperation, namespace: string, name: string) => void | Promise<void>;

const target = (name: string | undefined) => ({ group: 'coordination.k8s.io', resource: 'leases', ...(name !== undefined ? { name } : {}) });

/** Settles as `p` does, or rejects as soon as `signal` aborts (a request the caller gave up on). */
function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('request aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Leases in a Map, each write bumping a shared revision, as the API server's storage does. */
export class FakeLeaseClient implements LeaseClient {
  private readonly leases = new Map<string, Lease>();
  private revision = 0;
  /** Every call made, in order, e.g. `update kube-system/lock`. */
  readonly calls: string[] = [];

  constructor(public fault?: LeaseFault) {}

  /** A view of this store whose calls pass through `fault` as well (one candidate's flaky network). */
  withFault(fault: LeaseFault): LeaseClient {
    const both: LeaseFault = async (op, ns, name) => {
      await fault(op, ns, name);
      await this.fault?.(op, ns, name);
    };
    return {
      get: async (ns, name, o) => {
        await this.guard(both, 'get', ns, name, o);
        return this.read(ns, name);
      },
      create: async (lease, o) => {
        await this.guard(both, 'create', lease.metadata?.namespace ?? '', lease.metadata?.name ?? '', o);
        return this.write(lease, 'create');
      },
      update: async (lease, o) => {
        await this.guard(both, 'update', lease.metadata?.namespace ?? '', lease.metadata?.name ?? '', o);
        return this.write(lease, 'update');
      },
    };
  }

  async get(namespace: string, name: string, options?: RequestOptions): Promise<Lease | undefined> {
    await this.guard(this.fault, 'get', namespace, name, options);
    return this.read(namespace, name);
  }

  async create(lease: Lease, options?: RequestOptions): Promise<Lease> {
    await this.guard(this.fault, 'create', lease.metadata?.namespace ?? '', lease.metadata?.name ?? '', options);
    return this.write(lease, 'create');
  }

  async update(lease: Lease, options?: RequestOptions): Promise<Lease> {
    await this.guard(this.fault, 'update', lease.metadata?.namespace ?? '', lease.metadata?.name ?? '', options);
    return this.write(lease, 'update');
  }

  private read(namespace: string, name: string): Lease | undefined {
    const lease = this.leases.get(`${namespace}/${name}`);
    return lease ? structuredClone(lease) : undefined;
  }

  private write(lease: Lease, op: 'create' | 'update'): Lease {
    const { namespace = '', name = '', resourceVersion } = lease.metadata ?? {};
    const key = `${namespace}/${name}`;
    const current = this.leases.get(key);
    if (op === 'create') {
      if (current) throw new AlreadyExistsError(target(name));
    } else {
      if (!current) throw new NotFoundError(target(name));
      if (resourceVersion !== undefined && resourceVersion !== current.metadata?.resourceVersion) {
        throw new ConflictError(target(name), 'the object has been modified; please apply your changes to the latest version and try again');
      }
    }
    const rv = String(++this.revision);
    const metadata = current ? { ...current.metadata, resourceVersion: rv } : { ...lease.metadata, resourceVersion: rv, uid: `uid-${rv}` };
    const stored: Lease = { ...structuredClone(lease), metadata };
    this.leases.set(key, stored);
    return structuredClone(stored);
  }

  /** The stored lease, read without faults or call recording. */
  peek(namespace: string, name: string): Lease | undefined {
    return this.read(namespace, name);
  }

  /** Overwrites the stored lease unconditionally (another writer), bumping its resourceVersion. */
  force(lease: Lease): Lease {
    const { resourceVersion: _ignored, ...metadata } = lease.metadata ?? {};
    const exists = this.leases.has(`${metadata.namespace ?? ''}/${metadata.name ?? ''}`);
    return this.write({ ...lease, metadata }, exists ? 'update' : 'create');
  }

  private async guard(fault: LeaseFault | undefined, op: LeaseOperation, namespace: string, name: string, options?: RequestOptions): Promise<void> {
    this.calls.push(`${op} ${namespace}/${name}`);
    if (options?.signal?.aborted) throw new Error('request aborted');
    const injected = fault?.(op, namespace, name);
    if (injected) await abortable(injected, options?.signal);
  }
}
