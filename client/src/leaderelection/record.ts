// The leader election record as it is stored in a Lease's spec, and the MicroTime format it uses.
import type { Lease, LeaseSpec } from '@keelson/api';

/** What a Lease says about leadership; an empty holder means nobody holds it. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  leaseTransitions: number;
}

/** metav1.MicroTime: RFC 3339 with six fractional digits, `2024-01-01T00:00:00.000000Z`. */
export function microTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 23)}000Z`;
}

export function recordFromLease(lease: Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

export function leaseSpecFromRecord(r: LeaderElectionRecord): LeaseSpec {
  const spec: LeaseSpec = { leaseDurationSeconds: r.leaseDurationSeconds, leaseTransitions: r.leaseTransitions };
  if (r.holderIdentity !== '') spec.holderIdentity = r.holderIdentity;
  if (r.acquireTime !== undefined) spec.acquireTime = r.acquireTime;
  if (r.renewTime !== undefined) spec.renewTime = r.renewTime;
  return spec;
}

/** A canonical text of the record, to tell whether anyone changed the lease since it was last observed. */
export function recordKey(r: LeaderElectionRecord): string {
  return JSON.stringify([r.holderIdentity, r.leaseDurationSeconds, r.acquireTime ?? null, r.renewTime ?? null, r.leaseTransitions]);
}

/** A new Lease object holding `r`. */
export function newLease(namespace: string, name: string, r: LeaderElectionRecord): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace, name }, spec: leaseSpecFromRecord(r) };
}

/** `lease` (keeping its metadata and resourceVersion, for compare-and-swap) with its spec replaced by `r`. */
export function withRecord(lease: Lease, r: LeaderElectionRecord): Lease {
  return { ...structuredClone(lease), spec: leaseSpecFromRecord(r) };
}
