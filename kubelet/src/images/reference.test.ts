// Unit tests of image reference normalisation (docker.io/library/ prefix, :latest default, digests, ids).
import { InvalidReferenceError } from './errors';
import { familiarName, normalizeReference, parseImageId, parseReference } from './reference';

const D = `sha256:${'ab'.repeat(32)}`;

describe('normalizeReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:1.35', 'docker.io/library/busybox:1.35'],
    ['myorg/app:v1', 'docker.io/myorg/app:v1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/x/y', 'localhost:5000/x/y:latest'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    [`localhost:5000/x/y@${D}`, `localhost:5000/x/y@${D}`],
    // A tag next to a digest is dropped, as containerd's ParseDockerRef does.
    [`busybox:1.36@${D}`, `docker.io/library/busybox@${D}`],
  ])('%s → %s', (input, want) => {
    expect(normalizeReference(input)).toBe(want);
  });

  it('splits domain, path, tag', () => {
    expect(parseReference('127.0.0.1:5000/team/app:1.0')).toEqual({ domain: '127.0.0.1:5000', path: 'team/app', tag: '1.0' });
  });

  it.each([
    ['', /empty/],
    ['Busybox', /lowercase/],
    ['busybox:bad tag', /invalid/],
    ['busybox@sha256:1234', /invalid digest/],
    ['a'.repeat(64), /64-byte hexadecimal/],
    ['-bad/name', /invalid/],
  ])('rejects %j', (input, msg) => {
    expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    expect(() => parseReference(input)).toThrow(msg);
  });

  it('gives the familiar short name back', () => {
    expect(familiarName(parseReference('busybox'))).toBe('busybox:latest');
    expect(familiarName(parseReference('docker.io/myorg/app:v1'))).toBe('myorg/app:v1');
    expect(familiarName(parseReference('localhost:5000/x:y'))).toBe('localhost:5000/x:y');
  });
});

describe('parseImageId', () => {
  it('accepts sha256:<hex> and bare 64-hex, not names', () => {
    expect(parseImageId(D)).toBe(D);
    expect(parseImageId('ab'.repeat(32))).toBe(D);
    expect(parseImageId('busybox')).toBeUndefined();
  });
});
