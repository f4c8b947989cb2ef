// Unit: the API server's checks before proxying to a kubelet (container choice, log options, exec/attach/portforward paths).
import type { Pod } from '@keelson/api';
import { kubeletError, logPath, streamPath, validateContainer } from './node-proxy';

const pod = (containers: string[], extra: Partial<NonNullable<Pod['spec']>> = {}, status: Pod['status'] = { phase: 'Running' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'prod' },
  spec: { nodeName: 'n1', containers: containers.map((name) => ({ name, image: 'busybox' })), ...extra },
  status,
});

describe('validateContainer', () => {
  it('defaults a sole container and names the choices otherwise, init containers first', () => {
    expect(validateContainer(pod(['app']), undefined)).toBe('app');
    expect(() => validateContainer(pod(['app', 'side'], { initContainers: [{ name: 'init', image: 'busybox' }] }), '')).toThrow('a container name must be specified for pod web, choose one of: [init app side]');
    expect(() => validateContainer(pod(['app']), 'nope')).toThrow('container nope is not valid for pod web');
    expect(validateContainer(pod(['app'], { initContainers: [{ name: 'init', image: 'busybox' }] }), 'init')).toBe('init');
  });
});

describe('logPath', () => {
  it('passes the log options through to the kubelet path', () => {
    const q = new URLSearchParams('container=app&follow=true&tailLines=10&timestamps=true&previous=false&pretty=1');
    expect(logPath(pod(['app']), q)).toBe('/containerLogs/prod/web/app?follow=true&previous=false&timestamps=true&tailLines=10');
  });
  it('refuses invalid options with BadRequest', () => {
    expect(() => logPath(pod(['app']), new URLSearchParams('tailLines=-1'))).toThrow('tailLines: Invalid value: -1: must be greater than or equal to 0');
    expect(() => logPath(pod(['app']), new URLSearchParams('limitBytes=0'))).toThrow(/limitBytes/);
    expect(() => logPath(pod(['app']), new URLSearchParams('sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z'))).toThrow('at most one of `sinceTime` or `sinceSeconds` may be specified');
  });
});

describe('streamPath', () => {
  it('builds exec and attach paths with the command repeated', () => {
    expect(streamPath(pod(['app']), 'exec', new URLSearchParams('command=sh&command=-c&command=echo hi&stdout=true&stderr=true'))).toBe('/exec/prod/web/app?command=sh&command=-c&command=echo+hi&stdin=false&stdout=true&stderr=true&tty=false');
    expect(streamPath(pod(['app']), 'attach', new URLSearchParams('stdin=true&stdout=1&tty=true'))).toBe('/attach/prod/web/app?stdin=true&stdout=true&stderr=false&tty=true');
  });
  it("refuses what upstream refuses", () => {
    expect(() => streamPath(pod(['app']), 'exec', new URLSearchParams('stdout=true'))).toThrow('you must specify at least one command for the container');
    expect(() => streamPath(pod(['app']), 'exec', new URLSearchParams('command=ls'))).toThrow('you must specify at least 1 of stdin, stdout, stderr');
    expect(() => streamPath(pod(['app'], { nodeName: '' }), 'exec', new URLSearchParams('command=ls&stdout=true'))).toThrow('pod web does not have a host assigned');
    expect(() => streamPath(pod(['app'], {}, { phase: 'Succeeded' }), 'attach', new URLSearchParams('stdout=true'))).toThrow('cannot exec into or attach to a container in a completed pod; current phase is Succeeded');
  });
  it('passes port-forward ports as the kubelet reads them', () => {
    expect(streamPath(pod(['app']), 'portforward', new URLSearchParams('ports=8080,9090'))).toBe('/portForward/prod/web?port=8080&port=9090');
    expect(() => streamPath(pod(['app']), 'portforward', new URLSearchParams('ports=70000'))).toThrow(/ports: Invalid value/);
  });
});

it("turns a kubelet's error answer into a Status with its code and text", () => {
  expect(kubeletError(400, 'container "app" in pod "web" is waiting to start: ContainerCreating\n').toStatus()).toMatchObject({ code: 400, reason: 'BadRequest', message: 'container "app" in pod "web" is waiting to start: ContainerCreating' });
  expect(kubeletError(404, '').toStatus()).toMatchObject({ code: 404, reason: 'NotFound' });
});
