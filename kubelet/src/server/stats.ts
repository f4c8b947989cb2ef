// The kubelet's Summary API (/stats/summary): node cpu/memory/fs from /proc, pods and containers from the runtime's stats.
import { readFile, statfs } from 'node:fs/promises';
import type { Pod } from '@keelson/api';
import type { Clock } from '@keelson/client';
import type { ContainerStatsOutput } from '../shim/types';

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
}

export interface FsStats {
  time: string;
  availableBytes: number;
  capacityBytes: number;
  usedBytes: number;
}

export interface ContainerSummary {
  name: string;
  startTime?: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  startTime?: string;
  containers: ContainerSummary[];
  cpu: CpuStats;
  memory: MemoryStats;
}

/** k8s.io/kubelet/pkg/apis/stats/v1alpha1 Summary, with the fields Keelson measures. */
export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats; fs?: FsStats };
  pods: PodSummary[];
}

/** A cumulative cpu counter at a time: nanoseconds of cpu, nanoseconds since the epoch. */
interface Sample {
  atNs: number;
  cpuNs: number;
}

/** /proc/stat's first line: nanoseconds of non-idle cpu time over all cpus (USER_HZ is 100 on Linux). */
export function parseProcStat(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no cpu line');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = v;
  return (user + nice + system + irq + softirq + steal) * 1e7;
}

/** Node memory as the kubelet reports it: usage = total - free, working set = usage - inactive file pages. */
export function parseMeminfo(text: string): { availableBytes: number; usageBytes: number; workingSetBytes: number } {
  const kb = (key: string): number => Number(new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const usage = kb('MemTotal') - kb('MemFree');
  return { availableBytes: kb('MemAvailable'), usageBytes: usage, workingSetBytes: Math.max(0, usage - kb('Inactive(file)')) };
}

const num = (v: { value: string } | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v.value));

export interface StatsDeps {
  nodeName: string;
  rootDir: string;
  clock: Clock;
  /** Pods bound to this node (for start times). */
  pods: () => Pod[];
  containerStats: () => Promise<ContainerStatsOutput[]>;
  /** Time between the two samples a rate needs when no earlier sample is recent enough. Default 250 ms. */
  sampleGapMs?: number;
}

/** Computes summaries; keeps the previous cumulative cpu sample of each container (and the node) to turn them into rates. */
export class StatsProvider {
  private readonly samples = new Map<string, Sample>();
  private readonly bootMs: number;

  constructor(private readonly deps: StatsDeps) {
    this.bootMs = deps.clock.now();
  }

  /** Cores in nanocores from the previous sample of `key`, and remembers this one. */
  private rate(key: string, s: Sample): number | undefined {
    const prev = this.samples.get(key);
    this.samples.set(key, s);
    if (prev === undefined || s.atNs <= prev.atNs || s.cpuNs < prev.cpuNs) return undefined;
    return Math.round(((s.cpuNs - prev.cpuNs) / (s.atNs - prev.atNs)) * 1e9);
  }

  private async sampleNode(): Promise<{ at: number; cpuNs: number }> {
    return { at: this.deps.clock.now(), cpuNs: parseProcStat(await readFile('/proc/stat', 'utf8')) };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.deps.clock.setTimer(ms, resolve));
  }

  /** Whether every counter has a previous sample; when not, a second sample shortly after gives every rate. */
  private needsWarmup(stats: ContainerStatsOutput[]): boolean {
    if (!this.samples.has('node')) return true;
    return stats.some((s) => !this.samples.has(s.attributes?.id ?? ''));
  }

  async summary(): Promise<Summary> {
    let node = await this.sampleNode();
    let stats = await this.deps.containerStats();
    if (this.needsWarmup(stats)) {
      this.rate('node', { atNs: node.at * 1e6, cpuNs: node.cpuNs });
      for (const s of stats) this.rate(s.attributes?.id ?? '', { atNs: Number(s.cpu?.timestamp ?? 0), cpuNs: num(s.cpu?.usageCoreNanoSeconds) ?? 0 });
      await this.sleep(this.deps.sampleGapMs ?? 250);
      node = await this.sampleNode();
      stats = await this.deps.containerStats();
    }
    const time = new Date(node.at).toISOString().replace(/\.\d+Z$/, 'Z');
    const mem = parseMeminfo(await readFile('/proc/meminfo', 'utf8'));
    const nodeCpu: CpuStats = { time, usageCoreNanoSeconds: node.cpuNs };
    const nodeRate = this.rate('node', { atNs: node.at * 1e6, cpuNs: node.cpuNs });
    if (nodeRate !== undefined) nodeCpu.usageNanoCores = nodeRate;
    let fs: FsStats | undefined;
    try {
      const f = await statfs(this.deps.rootDir);
      fs = { time, availableBytes: f.bavail * f.bsize, capacityBytes: f.blocks * f.bsize, usedBytes: (f.blocks - f.bfree) * f.bsize };
    } catch {
      fs = undefined;
    }

    const pods = new Map(this.deps.pods().map((p) => [p.metadata?.uid ?? '', p]));
    const byPod = new Map<string, PodSummary>();
    const live = new Set<string>(['node']);
    for (const s of stats) {
      const labels = s.attributes?.labels ?? {};
      const uid = labels['io.kubernetes.pod.uid'] ?? '';
      const id = s.attributes?.id ?? '';
      live.add(id);
      const name = labels['io.kubernetes.container.name'] ?? s.attributes?.metadata?.name ?? '';
      const pod = pods.get(uid);
      let ps = byPod.get(uid);
      if (ps === undefined) {
        ps = {
          podRef: { name: labels['io.kubernetes.pod.name'] ?? '', namespace: labels['io.kubernetes.pod.namespace'] ?? '', uid },
          ...(pod?.status?.startTime !== undefined ? { startTime: pod.status.startTime } : {}),
          containers: [],
          cpu: { time, usageNanoCores: 0, usageCoreNanoSeconds: 0 },
          memory: { time, usageBytes: 0, workingSetBytes: 0, rssBytes: 0 },
        };
        byPod.set(uid, ps);
      }
      const cpuNs = num(s.cpu?.usageCoreNanoSeconds) ?? 0;
      const cpu: CpuStats = { time, usageCoreNanoSeconds: cpuNs };
      const r = this.rate(id, { atNs: Number(s.cpu?.timestamp ?? 0), cpuNs });
      if (r !== undefined) cpu.usageNanoCores = r;
      const memory: MemoryStats = { time };
      const ws = num(s.memory?.workingSetBytes);
      const usage = num(s.memory?.usageBytes);
      const rss = num(s.memory?.rssBytes);
      if (ws !== undefined) memory.workingSetBytes = ws;
      if (usage !== undefined) memory.usageBytes = usage;
      if (rss !== undefined) memory.rssBytes = rss;
      const started = pod?.status?.containerStatuses?.find((c) => c.name === name)?.state?.running?.startedAt;
      ps.containers.push({ name, ...(started !== undefined ? { startTime: started } : {}), cpu, memory });
      ps.cpu.usageNanoCores = (ps.cpu.usageNanoCores ?? 0) + (cpu.usageNanoCores ?? 0);
      ps.cpu.usageCoreNanoSeconds = (ps.cpu.usageCoreNanoSeconds ?? 0) + cpuNs;
      ps.memory.workingSetBytes = (ps.memory.workingSetBytes ?? 0) + (ws ?? 0);
      ps.memory.usageBytes = (ps.memory.usageBytes ?? 0) + (usage ?? 0);
      ps.memory.rssBytes = (ps.memory.rssBytes ?? 0) + (rss ?? 0);
    }
    for (const k of [...this.samples.keys()]) if (!live.has(k)) this.samples.delete(k);
    return {
      node: {
        nodeName: this.deps.nodeName,
        startTime: new Date(this.bootMs).toISOString().replace(/\.\d+Z$/, 'Z'),
        cpu: nodeCpu,
        memory: { time, ...mem },
        ...(fs !== undefined ? { fs } : {}),
      },
      pods: [...byPod.values()].sort((a, b) => `${a.podRef.namespace}/${a.podRef.name}`.localeCompare(`${b.podRef.namespace}/${b.podRef.name}`)),
    };
  }
}

/** /metrics/resource: the Prometheus text the metrics-server scrapes (node, pod and container cpu and memory). */
export function resourceMetrics(s: Summary, nowMs: number): string {
  const lines: string[] = [];
  const help = (name: string, text: string): void => {
    lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`);
  };
  const sec = (ns: number | undefined): number => (ns ?? 0) / 1e9;
  help('node_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the node in core-seconds');
  lines.push(`node_cpu_usage_seconds_total ${sec(s.node.cpu.usageCoreNanoSeconds)} ${nowMs}`);
  help('node_memory_working_set_bytes', 'Current working set of the node in bytes');
  lines.push(`node_memory_working_set_bytes ${s.node.memory.workingSetBytes ?? 0} ${nowMs}`);
  help('pod_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the pod in core-seconds');
  for (const p of s.pods) lines.push(`pod_cpu_usage_seconds_total{namespace="${p.podRef.namespace}",pod="${p.podRef.name}"} ${sec(p.cpu.usageCoreNanoSeconds)} ${nowMs}`);
  help('pod_memory_working_set_bytes', 'Current working set of the pod in bytes');
  for (const p of s.pods) lines.push(`pod_memory_working_set_bytes{namespace="${p.podRef.namespace}",pod="${p.podRef.name}"} ${p.memory.workingSetBytes ?? 0} ${nowMs}`);
  help('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the container in core-seconds');
  for (const p of s.pods) for (const c of p.containers) lines.push(`container_cpu_usage_seconds_total{container="${c.name}",namespace="${p.podRef.namespace}",pod="${p.podRef.name}"} ${sec(c.cpu.usageCoreNanoSeconds)} ${nowMs}`);
  help('container_memory_working_set_bytes', 'Current working set of the container in bytes');
  for (const p of s.pods) for (const c of p.containers) lines.push(`container_memory_working_set_bytes{container="${c.name}",namespace="${p.podRef.namespace}",pod="${p.podRef.name}"} ${c.memory.workingSetBytes ?? 0} ${nowMs}`);
  return `${lines.join('\n')}\n`;
}
