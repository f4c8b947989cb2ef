// Pod requests as Kubernetes counts them: containers, init containers, sidecars, overhead, and the scorers' defaults.
import type { Pod } from '@keelson/api';
import { allocatableOf, podRequests } from './resources';

function pod(spec: Partial<NonNullable<Pod['spec']>>): Pod {
  return { metadata: { name: 'p' }, spec: { containers: [], ...spec } };
}

const c = (cpu: string | undefined, memory?: string, restartPolicy?: string) => ({
  name: `c${cpu ?? ''}${memory ?? ''}`,
  image: 'i',
  ...(restartPolicy !== undefined ? { restartPolicy } : {}),
  resources: { requests: { ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}) } },
});

describe('podRequests', () => {
  it('sums the containers', () => {
    const r = podRequests(pod({ containers: [c('100m', '64Mi'), c('250m', '1Gi')] }));
    expect(r.milliCPU).toBe(350);
    expect(r.memory).toBe(64 * 2 ** 20 + 2 ** 30);
  });

  it('takes the largest init container when it exceeds the containers (init containers run one at a time)', () => {
    const r = podRequests(pod({ containers: [c('100m', '64Mi')], initContainers: [c('2', '32Mi'), c('500m', '128Mi')] }));
    expect(r.milliCPU).toBe(2000);
    expect(r.memory).toBe(128 * 2 ** 20);
  });

  it('adds sidecars (restartable init containers) to the containers and to every later init container', () => {
    // sidecar 200m runs alongside; the init container after it needs 1 + 0.2.
    const r = podRequests(pod({ containers: [c('300m')], initContainers: [c('200m', undefined, 'Always'), c('1')] }));
    expect(r.milliCPU).toBe(1200);
    const small = podRequests(pod({ containers: [c('300m')], initContainers: [c('200m', undefined, 'Always'), c('100m')] }));
    expect(small.milliCPU).toBe(500);
  });

  it('adds the pod overhead', () => {
    const r = podRequests(pod({ containers: [c('100m', '10Mi')], overhead: { cpu: '250m', memory: '120Mi' } }));
    expect(r.milliCPU).toBe(350);
    expect(r.memory).toBe(130 * 2 ** 20);
  });

  it('counts 100m / 200Mi for containers without requests only when asked (the scorers)', () => {
    const p = pod({ containers: [c(undefined), c('50m')] });
    expect(podRequests(p).milliCPU).toBe(50);
    expect(podRequests(p, true).milliCPU).toBe(150);
    expect(podRequests(p, true).memory).toBe(2 * 200 * 2 ** 20);
  });

  it('keeps extended resources apart', () => {
    const r = podRequests(pod({ containers: [{ name: 'g', image: 'i', resources: { requests: { 'nvidia.com/gpu': '2' } } }] }));
    expect(r.scalar.get('nvidia.com/gpu')).toBe(2);
  });
});

describe('allocatableOf', () => {
  it('reads cpu, memory and pods; a missing pods entry allows none', () => {
    expect(allocatableOf({ cpu: '1500m', memory: '1Gi', pods: '30' })).toMatchObject({ milliCPU: 1500, memory: 2 ** 30, pods: 30 });
    expect(allocatableOf({ cpu: '1' }).pods).toBe(0);
  });
});
