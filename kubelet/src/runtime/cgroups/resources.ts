// Kubernetes resource semantics → cgroup values (the kubelet's pkg/kubelet/cm conversions and runc's v1→v2 mapping).

/** Cgroup resources in cgroup v1 units (as the CRI's LinuxContainerResources); v2 converts them. Unset = unlimited/default. */
export interface CgroupResources {
  /** Relative CPU weight in v1 shares (2..262144). */
  cpuShares?: number;
  /** CFS quota per period in µs; undefined or -1 = no limit. */
  cpuQuotaUs?: number;
  /** CFS period in µs (default 100000 when a quota is set). */
  cpuPeriodUs?: number;
  /** Hard memory limit in bytes; undefined or -1 = no limit. Swap is disabled up to the same limit. */
  memoryLimitBytes?: number;
  /** Maximum number of processes; undefined or -1 = no limit. */
  pidsLimit?: number;
}

export const MIN_SHARES = 2;
export const MAX_SHARES = 262144;
export const SHARES_PER_CPU = 1024;
export const QUOTA_PERIOD_US = 100000;
export const MIN_QUOTA_US = 1000;

/** MilliCPUToShares (pkg/kubelet/cm/helpers_linux.go): a request of 0 gets the minimum weight. */
export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu <= 0) return MIN_SHARES;
  const shares = Math.floor((milliCpu * SHARES_PER_CPU) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** MilliCPUToQuota: 0 (no limit) stays 0; otherwise at least 1ms per period. */
export function milliCpuToQuota(milliCpu: number, periodUs = QUOTA_PERIOD_US): number {
  if (milliCpu <= 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milliCpu * periodUs) / 1000));
}

/** cpu.shares → cpu.weight, the formula of runc's ConvertCPUSharesToCgroupV2Value and the kubelet: [2..262144] → [1..10000]. */
export function cpuSharesToWeight(shares: number): number {
  if (shares <= 0) return 0;
  return 1 + Math.floor(((Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares)) - 2) * 9999) / 262142);
}

/** A container's (or pod's) Kubernetes resources: requests/limits in milliCPU and bytes. */
export interface KubernetesResources {
  cpuRequestMilli?: number;
  cpuLimitMilli?: number;
  memoryLimitBytes?: number;
  pidsLimit?: number;
}

/** Maps Kubernetes requests/limits to cgroup resources like the kubelet's generateLinuxContainerResources. */
export function resourcesFromKubernetes(k: KubernetesResources): CgroupResources {
  const out: CgroupResources = { cpuShares: milliCpuToShares(k.cpuRequestMilli ?? k.cpuLimitMilli ?? 0) };
  if (k.cpuLimitMilli && k.cpuLimitMilli > 0) {
    out.cpuPeriodUs = QUOTA_PERIOD_US;
    out.cpuQuotaUs = milliCpuToQuota(k.cpuLimitMilli);
  }
  if (k.memoryLimitBytes && k.memoryLimitBytes > 0) out.memoryLimitBytes = k.memoryLimitBytes;
  if (k.pidsLimit && k.pidsLimit > 0) out.pidsLimit = k.pidsLimit;
  return out;
}
