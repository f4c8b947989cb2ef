// Unit tests of the Kubernetes command/args/env/workingDir/user merge with an image config.
import { NoCommandError, expandVars, mergeConfig } from './config-merge';
import type { ContainerConfig } from './oci';

const image: ContainerConfig = {
  Entrypoint: ['/docker-entrypoint.sh'],
  Cmd: ['nginx', '-g', 'daemon off;'],
  Env: ['PATH=/usr/bin:/bin', 'NGINX_VERSION=1.25'],
  WorkingDir: '/srv',
  User: '101:101',
  ExposedPorts: { '80/tcp': {} },
};

describe('mergeConfig', () => {
  it('uses Entrypoint + Cmd when the container sets neither command nor args', () => {
    expect(mergeConfig(image, {}).argv).toEqual(['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
  });
  it('command replaces Entrypoint and drops Cmd', () => {
    expect(mergeConfig(image, { command: ['/bin/sh', '-c', 'true'] }).argv).toEqual(['/bin/sh', '-c', 'true']);
  });
  it('args only replace Cmd', () => {
    expect(mergeConfig(image, { args: ['echo', 'hi'] }).argv).toEqual(['/docker-entrypoint.sh', 'echo', 'hi']);
  });
  it('command and args together ignore the image entirely', () => {
    expect(mergeConfig(image, { command: ['sleep'], args: ['5'] }).argv).toEqual(['sleep', '5']);
  });
  it('an Entrypoint of [""] counts as none', () => {
    expect(mergeConfig({ Entrypoint: [''], Cmd: ['sh'] }, {}).argv).toEqual(['sh']);
  });
  it('fails when nothing gives a command', () => {
    expect(() => mergeConfig({ Env: [] }, {})).toThrow(NoCommandError);
  });
  it('keeps image env, lets the container override by name in place and append new names', () => {
    const env = mergeConfig(image, { env: [{ name: 'NGINX_VERSION', value: 'custom' }, { name: 'EXTRA', value: '1' }] }).env;
    expect(env).toEqual(['PATH=/usr/bin:/bin', 'NGINX_VERSION=custom', 'EXTRA=1']);
  });
  it('expands $(VAR) in command and args from the container env, leaving unknown and escaped ones', () => {
    const merged = mergeConfig(image, {
      command: ['echo', '$(GREETING) $(MISSING) $$(GREETING)'],
      env: [{ name: 'GREETING', value: 'hello' }],
    });
    expect(merged.argv).toEqual(['echo', 'hello $(MISSING) $(GREETING)']);
  });
  it('takes workingDir from the container, else the image, else /', () => {
    expect(mergeConfig(image, { workingDir: '/app' }).workingDir).toBe('/app');
    expect(mergeConfig(image, {}).workingDir).toBe('/srv');
    expect(mergeConfig({ Cmd: ['sh'] }, {}).workingDir).toBe('/');
  });
  it('runAsUser/runAsGroup override the image User', () => {
    expect(mergeConfig(image, {}).user).toBe('101:101');
    expect(mergeConfig(image, { runAsUser: 1000 }).user).toBe('1000');
    expect(mergeConfig(image, { runAsUser: 1000, runAsGroup: 2000 }).user).toBe('1000:2000');
    expect(mergeConfig(image, { runAsGroup: 2000 }).user).toBe('101:2000');
    expect(mergeConfig(image, { runAsUsername: 'www' }).user).toBe('www');
  });
  it('lists exposed ports', () => {
    expect(mergeConfig(image, {}).exposedPorts).toEqual(['80/tcp']);
  });
});

describe('expandVars', () => {
  it('handles $ at the end, lone $ and unterminated $(', () => {
    const vars = new Map([['A', 'x']]);
    expect(expandVars('cost $5 $', vars)).toBe('cost $5 $');
    expect(expandVars('$(A', vars)).toBe('$(A');
    expect(expandVars('$(A)$(A)', vars)).toBe('xx');
  });
});
