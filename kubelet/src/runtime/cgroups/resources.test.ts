// Unit tests for the Kubernetes → cgroup conversions (values as the kubelet computes them) and cgroup naming.
import { containerCgroupPath, podCgroupPath } from './manager';
import { cpuSharesToWeight, milliCpuToQuota, milliCpuToShares, resourcesFromKubernetes } from './resources';

describe('resource conversions', () => {
  it('converts milliCPU requests to cpu.shares with the kubelet minimum of 2', () => {
    expect(milliCpuToShares(0)).toBe(2);
    expect(milliCpuToShares(1)).toBe(2);
    expect(milliCpuToShares(100)).toBe(102);
    expect(milliCpuToShares(250)).toBe(256);
    expect(milliCpuToShares(1000)).toBe(1024);
    expect(milliCpuToShares(1_000_000)).toBe(262144);
  });

  it('converts milliCPU limits to CFS quota with a 1ms floor', () => {
    expect(milliCpuToQuota(0)).toBe(0);
    expect(milliCpuToQuota(5)).toBe(1000);
    expect(milliCpuToQuota(500)).toBe(50000);
    expect(milliCpuToQuota(2500)).toBe(250000);
  });

  it('maps cpu.shares onto cpu.weight 1..10000 with the runc/kubelet formula', () => {
    expect(cpuSharesToWeight(2)).toBe(1);
    expect(cpuSharesToWeight(1024)).toBe(39);
    expect(cpuSharesToWeight(256)).toBe(10);
    expect(cpuSharesToWeight(262144)).toBe(10000);
    expect(cpuSharesToWeight(0)).toBe(0);
  });

  it('derives container resources from requests and limits', () => {
    expect(resourcesFromKubernetes({})).toEqual({ cpuShares: 2 });
    expect(resourcesFromKubernetes({ cpuLimitMilli: 500, memoryLimitBytes: 1 << 26, pidsLimit: 100 })).toEqual({
      cpuShares: 512, // the request defaults to the limit
      cpuQuotaUs: 50000,
      cpuPeriodUs: 100000,
      memoryLimitBytes: 1 << 26,
      pidsLimit: 100,
    });
  });
});

describe('cgroup naming', () => {
  it('places pods by QoS class like the kubelet and rejects path tricks', () => {
    expect(podCgroupPath('keelson', 'abc', 'Guaranteed')).toBe('keelson/podabc');
    expect(podCgroupPath('keelson', 'abc', 'Burstable')).toBe('keelson/burstable/podabc');
    expect(podCgroupPath('keelson', 'abc', 'BestEffort')).toBe('keelson/besteffort/podabc');
    expect(containerCgroupPath('keelson/podabc', 'c1')).toBe('keelson/podabc/c1');
    expect(() => podCgroupPath('keelson', '../x', 'Burstable')).toThrow(RangeError);
    expect(() => containerCgroupPath('keelson/podabc', '..')).toThrow(RangeError);
  });
});
