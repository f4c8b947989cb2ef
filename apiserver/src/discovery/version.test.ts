// Tests for the /version document and the /api server addresses.
import { serverAddressByClientCIDRs } from './addresses';
import { DEFAULT_GIT_VERSION, goPlatform, versionInfo } from './version';

describe('versionInfo', () => {
  it('reports v1.30.0-keelson with Kubernetes major/minor, and fields in upstream order', () => {
    const v = versionInfo({ gitCommit: 'abc123', gitTreeState: 'clean', buildDate: '2024-05-01T10:00:00Z', runtime: { version: 'v20.19.0', platform: 'linux', arch: 'x64' } });
    expect(DEFAULT_GIT_VERSION).toBe('v1.30.0-keelson');
    expect(v).toEqual({
      major: '1',
      minor: '30',
      gitVersion: 'v1.30.0-keelson',
      gitCommit: 'abc123',
      gitTreeState: 'clean',
      buildDate: '2024-05-01T10:00:00Z',
      goVersion: 'node20.19.0',
      compiler: 'v8',
      platform: 'linux/amd64',
    });
    expect(Object.keys(v)).toEqual(['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']);
  });

  it('derives major and minor from an injected build version', () => {
    expect(versionInfo({ gitVersion: 'v1.31.2-keelson.7+0a1b2c' })).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.2-keelson.7+0a1b2c' });
    expect(versionInfo({ gitVersion: 'dev' })).toMatchObject({ major: '', minor: '' });
  });

  it('defaults like an unstamped upstream build', () => {
    expect(versionInfo()).toMatchObject({ gitCommit: '', gitTreeState: '', buildDate: '1970-01-01T00:00:00Z', platform: '', goVersion: '' });
  });

  it('spells platforms as Go does', () => {
    expect(goPlatform('darwin', 'arm64')).toBe('darwin/arm64');
    expect(goPlatform('win32', 'x64')).toBe('windows/amd64');
  });
});

describe('serverAddressByClientCIDRs', () => {
  const addresses = { defaultAddress: '203.0.113.10:6443', rules: [{ cidr: '10.96.0.0/12', address: '10.96.0.1:443' }, { cidr: 'fd00::/8', address: '[fd00::1]:443' }] };

  it('always lists the default address under 0.0.0.0/0', () => {
    expect(serverAddressByClientCIDRs(addresses, '198.51.100.7')).toEqual([{ clientCIDR: '0.0.0.0/0', serverAddress: '203.0.113.10:6443' }]);
    expect(serverAddressByClientCIDRs(addresses, undefined)).toHaveLength(1);
  });

  it('adds the rules whose CIDR holds the client, IPv4-mapped addresses included', () => {
    expect(serverAddressByClientCIDRs(addresses, '::ffff:10.100.3.4')).toEqual([
      { clientCIDR: '0.0.0.0/0', serverAddress: '203.0.113.10:6443' },
      { clientCIDR: '10.96.0.0/12', serverAddress: '10.96.0.1:443' },
    ]);
    expect(serverAddressByClientCIDRs(addresses, 'fd12::5')[1]).toEqual({ clientCIDR: 'fd00::/8', serverAddress: '[fd00::1]:443' });
  });

  it('ignores malformed rules instead of throwing', () => {
    expect(serverAddressByClientCIDRs({ defaultAddress: 'a:1', rules: [{ cidr: '10.0.0.0/40', address: 'x' }, { cidr: 'nonsense', address: 'y' }] }, '10.0.0.1')).toHaveLength(1);
  });
});
