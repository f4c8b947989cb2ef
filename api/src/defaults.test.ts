// Defaulting fills what Kubernetes fills, and never overrides what the user set.
import { defaultPullPolicy, withDefaults } from './defaults';
import type { Deployment, Job, Pod, Service, StatefulSet, DaemonSet, CronJob } from './index';

const container = { name: 'web', image: 'nginx:1.25' };

describe('defaults', () => {
  it('defaults a pod as the Kubernetes API server does', () => {
    const pod = withDefaults<Pod>('Pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [{ ...container, ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } }, readinessProbe: { httpGet: { port: 80 } } }],
        volumes: [{ name: 'scratch' }],
      },
    });
    const spec = pod.spec!;
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      securityContext: {},
    });
    const c = spec.containers[0]!;
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    expect(c.ports?.[0]?.protocol).toBe('TCP');
    expect(c.resources?.requests).toEqual({ cpu: '1' });
    expect(c.readinessProbe).toMatchObject({ timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, httpGet: { path: '/', scheme: 'HTTP' } });
    expect(spec.volumes?.[0]?.emptyDir).toEqual({});
  });

  it('keeps values the user set and leaves the input untouched', () => {
    const input: Pod = { spec: { containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never' }], restartPolicy: 'Never' } };
    const out = withDefaults('Pod', input);
    expect(out.spec?.restartPolicy).toBe('Never');
    expect(out.spec?.containers[0]?.imagePullPolicy).toBe('Never');
    expect(input.spec?.dnsPolicy).toBeUndefined();
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/nginx', 'Always'],
    ['localhost:5000/nginx:1', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ])('pull policy of %s is %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });

  it('defaults a deployment to RollingUpdate 25%/25%, 10 revisions, 600s deadline, 1 replica', () => {
    const d = withDefaults<Deployment>('Deployment', { spec: { selector: {}, template: { spec: { containers: [container] } } } });
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec?.template.spec?.restartPolicy).toBe('Always');
  });

  it('gives Recreate deployments no rollingUpdate block', () => {
    const d = withDefaults<Deployment>('Deployment', { spec: { selector: {}, strategy: { type: 'Recreate' }, template: {} } });
    expect(d.spec?.strategy).toEqual({ type: 'Recreate' });
  });

  it('defaults jobs: backoffLimit 6, one completion, NonIndexed', () => {
    const j = withDefaults<Job>('Job', { spec: { template: { spec: { containers: [container], restartPolicy: 'Never' } } } });
    expect(j.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1, completionMode: 'NonIndexed', suspend: false });
    const workQueue = withDefaults<Job>('Job', { spec: { parallelism: 3, template: {} } });
    expect(workQueue.spec?.completions).toBeUndefined();
  });

  it('defaults services: ClusterIP, TCP, targetPort = port', () => {
    const s = withDefaults<Service>('Service', { spec: { ports: [{ port: 80 }] } });
    expect(s.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
  });

  it('defaults statefulsets, daemonsets and cronjobs', () => {
    const ss = withDefaults<StatefulSet>('StatefulSet', { spec: { selector: {}, serviceName: 's', template: {} } });
    expect(ss.spec).toMatchObject({ replicas: 1, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10 });
    const ds = withDefaults<DaemonSet>('DaemonSet', { spec: { selector: {}, template: {} } });
    expect(ds.spec?.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    const cj = withDefaults<CronJob>('CronJob', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: {} } } } });
    expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(cj.spec?.jobTemplate.spec?.backoffLimit).toBe(6);
  });

  it('leaves kinds without defaults as they were', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
    expect(withDefaults('ConfigMap', cm)).toEqual(cm);
  });
});
