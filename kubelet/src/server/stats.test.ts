// Unit: node cpu and memory parsing from /proc, and usageNanoCores from two cumulative samples.
import type { Clock } from '@keelson/client';
import type { ContainerStatsOutput } from '../shim/types';
import { StatsProvider, parseMeminfo, parseProcStat, resourceMetrics } from './stats';

it('sums non-idle jiffies of /proc/stat into nanoseconds', () => {
  expect(parseProcStat('cpu  100 5 50 1000 20 1 2 3 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n')).toBe((100 + 5 + 50 + 1 + 2 + 3) * 1e7);
  expect(() => parseProcStat('intr 1\n')).toThrow(/no cpu line/);
});

it('derives usage and working set from /proc/meminfo', () => {
  const m = parseMeminfo('MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    500 kB\nInactive(file):  100 kB\n');
  expect(m).toEqual({ availableBytes: 500 * 1024, usageBytes: 800 * 1024, workingSetBytes: 700 * 1024 });
});

it('computes a container cpu rate from two samples and sums pods', async () => {
  let now = 1_000_000;
  const clock: Clock = { now: () => now, setTimer: (ms, fn) => { now += ms; const h = setImmediate(fn); return { cancel: () => clearImmediate(h) }; } };
  let cpu = 0;
  const stat = (): ContainerStatsOutput[] => {
    cpu += 50_000_000; // 50 ms of cpu per 250 ms sample gap = 0.2 cores
    return [
      {
        attributes: { id: 'c1', metadata: { name: 'app', attempt: 0 }, labels: { 'io.kubernetes.pod.uid': 'u1', 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.container.name': 'app' }, annotations: {} },
        cpu: { timestamp: String(now * 1e6), usageCoreNanoSeconds: { value: String(cpu) } },
        memory: { timestamp: String(now * 1e6), workingSetBytes: { value: '4096' }, usageBytes: { value: '8192' }, rssBytes: { value: '2048' } },
        pids: null,
      },
    ];
  };
  const s = await new StatsProvider({ nodeName: 'n1', rootDir: '/', clock, pods: () => [], containerStats: () => Promise.resolve(stat()) }).summary();
  expect(s.node.nodeName).toBe('n1');
  expect(s.node.memory.workingSetBytes).toBeGreaterThan(0);
  const pod = s.pods[0];
  expect(pod?.podRef).toEqual({ name: 'p', namespace: 'ns', uid: 'u1' });
  expect(pod?.containers[0]?.cpu.usageNanoCores).toBe(200_000_000);
  expect(pod?.cpu.usageNanoCores).toBe(200_000_000);
  expect(pod?.memory).toMatchObject({ workingSetBytes: 4096, usageBytes: 8192, rssBytes: 2048 });
  expect(resourceMetrics(s, 5)).toContain('container_memory_working_set_bytes{container="app",namespace="ns",pod="p"} 4096 5');
});
