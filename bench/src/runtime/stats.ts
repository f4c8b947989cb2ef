// Sample sets for the runtime benchmarks: median/p90/p99 rows and shim CPU per operation.
import { percentile } from '../harness';

/** Latencies (ms) of one measured operation, plus the CPU a helper process spent on them. */
export class Samples {
  private readonly values: number[] = [];
  /** CPU seconds of the measured process (e.g. the shim) spent over all samples, when known. */
  cpuSeconds: number | undefined;

  constructor(readonly name: string) {}

  add(ms: number): void {
    this.values.push(ms);
  }

  get count(): number {
    return this.values.length;
  }

  sorted(): Float64Array {
    return Float64Array.from(this.values).sort();
  }

  p(q: number): number {
    return percentile(this.sorted(), q);
  }

  mean(): number {
    return this.values.length === 0 ? NaN : this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  /** Table cells: name, runs, p50, p90, p99, min, max, CPU ms/op. */
  row(): string[] {
    const s = this.sorted();
    const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');
    return [
      this.name,
      String(s.length),
      f(percentile(s, 50)),
      f(percentile(s, 90)),
      f(percentile(s, 99)),
      f(s[0] ?? NaN),
      f(s[s.length - 1] ?? NaN),
      this.cpuSeconds === undefined || s.length === 0 ? '-' : ((this.cpuSeconds * 1000) / s.length).toFixed(2),
    ];
  }
}

export const sampleHeader = ['operation', 'runs', 'p50 ms', 'p90 ms', 'p99 ms', 'min', 'max', 'shim CPU ms/op'];

/** Milliseconds since `t0` (a performance.now() reading). */
export function since(t0: number): number {
  return performance.now() - t0;
}
