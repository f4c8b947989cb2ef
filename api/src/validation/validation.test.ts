// Bad objects are rejected with the Kubernetes field path; good ones pass.
import { InvalidError } from '../errors';
import { lookupKind, type ResourceInfo } from '../registry';
import type { KubeObject } from '../types/meta';
import { assertValid, validateObject } from './index';

function info(apiVersion: string, kind: string): ResourceInfo {
  const r = lookupKind(apiVersion, kind);
  if (!r) throw new Error(`no kind ${kind}`);
  return r;
}

const deploymentInfo = info('apps/v1', 'Deployment');
const podInfo = info('v1', 'Pod');

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'http' }] }] },
      },
    },
  };
}

function pod(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
}

/** Applies a change to a fresh deployment and returns the error fields. */
function deploymentErrors(change: (d: { spec: Record<string, any>; metadata: Record<string, any> }) => void): string[] {
  const d = deployment() as unknown as { spec: Record<string, any>; metadata: Record<string, any> };
  change(d);
  return validateObject(deploymentInfo, d as unknown as KubeObject).map((e) => `${e.field}: ${e.type}`);
}

describe('validation', () => {
  it('accepts a well-formed deployment and pod', () => {
    expect(validateObject(deploymentInfo, deployment())).toEqual([]);
    expect(validateObject(podInfo, pod({ containers: [{ name: 'a', image: 'busybox' }] }))).toEqual([]);
  });

  it('reports wrong types with the field path from the OpenAPI schema', () => {
    expect(deploymentErrors((d) => (d.spec.replicas = 'three'))).toEqual(['spec.replicas: FieldValueTypeInvalid']);
    expect(deploymentErrors((d) => (d.spec.template.spec.containers[0].image = 5))).toEqual([
      'spec.template.spec.containers[0].image: FieldValueTypeInvalid',
    ]);
    expect(deploymentErrors((d) => (d.spec.template.spec.containers[0].resources = { limits: { cpu: 'lots' } }))).toEqual([
      'spec.template.spec.containers[0].resources.limits[cpu]: FieldValueInvalid',
    ]);
  });

  it('reports a missing required field under its full path', () => {
    expect(deploymentErrors((d) => delete d.spec.template.spec.containers[0].name)).toEqual([
      'spec.template.spec.containers[0].name: FieldValueRequired',
    ]);
    expect(deploymentErrors((d) => delete d.spec.selector)).toEqual(['spec.selector: FieldValueRequired']);
  });

  it('rejects names that are not DNS-1123', () => {
    expect(deploymentErrors((d) => (d.metadata.name = 'Web_App'))).toEqual(['metadata.name: FieldValueInvalid']);
    expect(deploymentErrors((d) => (d.metadata.name = 'a'.repeat(254)))).toEqual(['metadata.name: FieldValueInvalid']);
    expect(deploymentErrors((d) => delete d.metadata.name)).toEqual(['metadata.name: FieldValueRequired']);
    expect(deploymentErrors((d) => {
      delete d.metadata.name;
      d.metadata.generateName = 'web-';
    })).toEqual([]);
    const ns = info('v1', 'Namespace');
    expect(validateObject(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }).map((e) => e.field)).toEqual(['metadata.name']);
    const svc = info('v1', 'Service');
    expect(validateObject(svc, { apiVersion: 'v1', kind: 'Service', metadata: { name: '1abc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }).map((e) => e.field)).toEqual(['metadata.name']);
  });

  it('rejects bad label keys and values', () => {
    expect(deploymentErrors((d) => (d.metadata.labels = { 'bad key': 'x' }))).toEqual(['metadata.labels: FieldValueInvalid']);
    expect(deploymentErrors((d) => (d.metadata.labels = { ok: '-bad-' }))).toEqual(['metadata.labels: FieldValueInvalid']);
    expect(deploymentErrors((d) => (d.metadata.annotations = { 'example.com/ok': 'any value at all' }))).toEqual([]);
  });

  it('requires the selector to match the template labels', () => {
    expect(deploymentErrors((d) => (d.spec.selector = { matchLabels: { app: 'other' } }))).toEqual([
      'spec.template.metadata.labels: FieldValueInvalid',
    ]);
    expect(deploymentErrors((d) => (d.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }))).toEqual([]);
    expect(deploymentErrors((d) => (d.spec.selector = {}))).toEqual(['spec.selector: FieldValueInvalid']);
  });

  it('requires unique container names across init and regular containers', () => {
    const errs = validateObject(
      podInfo,
      pod({ initContainers: [{ name: 'a', image: 'x' }], containers: [{ name: 'a', image: 'y' }, { name: 'b', image: 'z' }, { name: 'b', image: 'z' }] }),
    );
    expect(errs.map((e) => `${e.field}: ${e.type}`)).toEqual(['spec.containers[0].name: FieldValueDuplicate', 'spec.containers[2].name: FieldValueDuplicate']);
  });

  it('checks port ranges and protocols', () => {
    const errs = validateObject(
      podInfo,
      pod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 0 }, { containerPort: 70000 }, { containerPort: 80, hostPort: -1 }, { containerPort: 81, protocol: 'ICMP' }] }] }),
    );
    expect(errs.map((e) => e.field).sort()).toEqual([
      'spec.containers[0].ports[0].containerPort',
      'spec.containers[0].ports[1].containerPort',
      'spec.containers[0].ports[2].hostPort',
      'spec.containers[0].ports[3].protocol',
    ]);
    const svc = info('v1', 'Service');
    const svcErrs = validateObject(svc, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'd' }, spec: { type: 'ClusterIP', ports: [{ port: 80, nodePort: 30080 }] } });
    expect(svcErrs.map((e) => `${e.field}: ${e.type}`)).toEqual(['spec.ports[0].nodePort: FieldValueForbidden']);
  });

  it('requires an image and a known restart policy', () => {
    expect(validateObject(podInfo, pod({ containers: [{ name: 'a', image: '' }], restartPolicy: 'Sometimes' })).map((e) => `${e.field}: ${e.type}`).sort()).toEqual([
      'spec.containers[0].image: FieldValueRequired',
      'spec.restartPolicy: FieldValueNotSupported',
    ]);
  });

  it('only lets workload templates restart Always, and jobs OnFailure or Never', () => {
    expect(deploymentErrors((d) => (d.spec.template.spec.restartPolicy = 'Never'))).toEqual(['spec.template.spec.restartPolicy: FieldValueNotSupported']);
    const job = info('batch/v1', 'Job');
    const j = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }], restartPolicy: 'Always' } } } };
    expect(validateObject(job, j).map((e) => e.field)).toEqual(['spec.template.spec.restartPolicy']);
  });

  it('keeps immutable fields immutable on update', () => {
    const old = deployment();
    const changed = deployment() as unknown as { spec: { selector: unknown } };
    changed.spec.selector = { matchLabels: { app: 'web', tier: 'front' } };
    expect(validateObject(deploymentInfo, changed as unknown as KubeObject, old).map((e) => `${e.field}: ${e.detail ?? ''}`)).toEqual(['spec.selector: field is immutable']);

    const bound = pod({ containers: [{ name: 'a', image: 'x' }], nodeName: 'n1' });
    const moved = pod({ containers: [{ name: 'a', image: 'x' }], nodeName: 'n2' });
    expect(validateObject(podInfo, moved, bound).map((e) => e.field)).toContain('spec.nodeName');
    const newImage = pod({ containers: [{ name: 'a', image: 'x:2' }], nodeName: 'n1' });
    expect(validateObject(podInfo, newImage, bound)).toEqual([]);
    const binding = pod({ containers: [{ name: 'a', image: 'x' }], nodeName: 'n1' });
    expect(validateObject(podInfo, binding, pod({ containers: [{ name: 'a', image: 'x' }] }))).toEqual([]);
  });

  it('rejects maxSurge and maxUnavailable both zero', () => {
    expect(deploymentErrors((d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: FieldValueInvalid',
    ]);
  });

  it('validates cron schedules', () => {
    const cj = info('batch/v1', 'CronJob');
    const make = (schedule: string): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'd' },
      spec: { schedule, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }], restartPolicy: 'OnFailure' } } } } },
    });
    expect(validateObject(cj, make('*/5 * * * *'))).toEqual([]);
    expect(validateObject(cj, make('@hourly'))).toEqual([]);
    expect(validateObject(cj, make('0 0 * * MON-FRI'))).toEqual([]);
    expect(validateObject(cj, make('61 * * * *')).map((e) => e.field)).toEqual(['spec.schedule']);
    expect(validateObject(cj, make('every day')).map((e) => e.field)).toEqual(['spec.schedule']);
  });

  it('throws InvalidError that becomes a 422 Status with causes', () => {
    const d = deployment() as unknown as { spec: { replicas: number } };
    d.spec.replicas = -1;
    let caught: unknown;
    try {
      assertValid(deploymentInfo, d);
    } catch (e: unknown) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidError);
    const status = (caught as InvalidError).toStatus();
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      code: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      details: { name: 'web', group: 'apps', kind: 'Deployment', causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas' }] },
    });
  });

  it('rejects malformed secrets and config keys', () => {
    const secret = info('v1', 'Secret');
    expect(validateObject(secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, data: { k: 'not base64!' } }).map((e) => e.field)).toEqual(['data[k]']);
    const cm = info('v1', 'ConfigMap');
    expect(validateObject(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { 'bad key': 'v' } }).map((e) => e.field)).toEqual(['data[bad key]']);
  });

  it('requires a namespace for namespaced kinds and forbids one for cluster-scoped kinds', () => {
    expect(validateObject(podInfo, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } }).map((e) => `${e.field}: ${e.type}`)).toEqual(['metadata.namespace: FieldValueRequired']);
    const node = info('v1', 'Node');
    expect(validateObject(node, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', namespace: 'x' } }).map((e) => e.field)).toEqual(['metadata.namespace']);
  });
});
