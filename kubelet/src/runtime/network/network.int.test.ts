// Integration test (root): real bridge, netns, veth pairs, iptables rules and routes; everything test-unique and removed.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandError, ExecFileRunner } from './exec';
import { PodNetwork } from './network';

const run = new ExecFileRunner(15_000);
const sh = (file: string, args: string[]) => run.run(file, args);
const quietly = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch {
    // cleanup of something that may not exist
  }
};
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` until it resolves (the listener may need a moment to bind). */
async function eventually<T>(fn: () => Promise<T>, attempts = 20): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err: unknown) {
      last = err;
      await delay(150);
    }
  }
  throw last;
}

const rand = randomBytes(3).toString('hex');
const base = randomInt(0, 200);
const podNet = `10.255.${base}.0/24`;
const extOctet = base + 1; // the "external client" link 10.255.<ext>.0/30
const linkOctet = base + 2; // a dummy link standing in for other nodes' network
const bridge = `kt${rand}`;
const extNs = `kt${rand}-ext`;
const extVeth = `kt${rand}x`;
const dummy = `kt${rand}d`;
const routeProtocol = randomInt(200, 250);

describe('PodNetwork on a real node (root)', () => {
  let stateDir: string;
  let webroot: string;
  let net: PodNetwork;
  const servers: ChildProcess[] = [];
  const sandboxes = ['a', 'b', 'c', 'half'];

  const options = () => ({
    podCIDR: podNet,
    stateDir,
    bridgeName: bridge,
    mtu: 1400,
    netnsPrefix: `kt${rand}-`,
    chainPrefix: `KT${rand.toUpperCase()}`,
    routeProtocol,
  });
  const inNs = (ns: string, args: string[]) => sh('ip', ['netns', 'exec', ns, ...args]);
  const ping = (ns: string | undefined, ip: string) =>
    ns ? inNs(ns, ['busybox', 'ping', '-c1', '-W2', ip]) : sh('busybox', ['ping', '-c1', '-W2', ip]);
  const iptablesSave = async () => (await sh('iptables-save', [])).stdout;
  // busybox wget segfaults in this static build; a raw HTTP/1.0 request over busybox nc does the same job.
  const httpGet = async (ns: string | undefined, host: string, port: number) => {
    const nc = ['busybox', 'nc', '-w', '2', host, String(port)];
    const r = await run.run(ns ? 'ip' : nc[0]!, ns ? ['netns', 'exec', ns, ...nc] : nc.slice(1), { input: 'GET / HTTP/1.0\r\n\r\n' });
    if (!r.stdout.startsWith('HTTP/1.')) throw new Error(`no HTTP response from ${host}:${port}: ${r.stdout}`);
    return r.stdout.slice(r.stdout.indexOf('\r\n\r\n') + 4);
  };

  beforeAll(async () => {
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'keelson-net-'));
    webroot = await fs.mkdtemp(path.join(os.tmpdir(), 'keelson-www-'));
    await fs.writeFile(path.join(webroot, 'index.html'), `hello from pod ${rand}\n`);
    net = new PodNetwork(options());
    await net.ensureNode();
  });

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    for (const id of sandboxes) await quietly(net.teardown(id));
    await quietly(net.removeNode());
    // Belt and braces, in case the code under test failed half way.
    await quietly(sh('ip', ['netns', 'del', extNs]));
    for (const l of [extVeth, dummy, bridge]) await quietly(sh('ip', ['link', 'del', l]));
    for (const id of sandboxes) await quietly(sh('ip', ['netns', 'del', `kt${rand}-${id}`]));
    await fs.rm(stateDir, { recursive: true, force: true });
    await fs.rm(webroot, { recursive: true, force: true });
  });

  it('creates the bridge with the gateway address, forwarding on, and the masquerade rule', async () => {
    const addr = (await sh('ip', ['-j', 'addr', 'show', 'dev', bridge])).stdout;
    expect(addr).toContain(`"local":"10.255.${base}.1","prefixlen":24`);
    expect((await fs.readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim()).toBe('1');
    const rules = await iptablesSave();
    const chain = `KT${rand.toUpperCase()}-POSTROUTING`;
    expect(rules).toContain(`-A POSTROUTING -m comment --comment "keelson pod masquerade" -j ${chain}`);
    expect(rules).toMatch(new RegExp(`-A ${chain} -s 10\\.255\\.${base}\\.0/24 ! -d 10\\.255\\.${base}\\.0/24 .*-j MASQUERADE`));
    // ensureNode is idempotent: a second run adds no duplicate rules.
    await net.ensureNode();
    const again = await iptablesSave();
    expect(again.split(`-j ${chain}`).length).toBe(rules.split(`-j ${chain}`).length);
  });

  it('connects two pods on the bridge to each other, to the host and the host to them', async () => {
    const a = await net.setup('a');
    const b = await net.setup('b');
    expect(a.ip).not.toBe(b.ip);
    expect(a.gateway).toBe(`10.255.${base}.1`);
    expect(a.netnsPath).toBe(`/run/netns/kt${rand}-a`);
    const link = (await inNs(a.netnsName, ['ip', '-j', 'addr', 'show', 'dev', 'eth0'])).stdout;
    expect(link).toContain(`"local":"${a.ip}","prefixlen":24`);
    expect(link).toContain('"mtu":1400');
    expect((await inNs(a.netnsName, ['ip', 'route', 'show', 'default'])).stdout).toContain(`via ${a.gateway} dev eth0`);
    expect((await sh('ip', ['link', 'show', 'dev', a.hostVeth])).stdout).toContain(`master ${bridge}`);
    await ping(a.netnsName, b.ip);
    await ping(b.netnsName, a.ip);
    await ping(undefined, a.ip);
    await ping(a.netnsName, a.gateway);
    await ping(a.netnsName, '127.0.0.1');
  });

  it('never hands out an IP twice across a restart, and setup is idempotent', async () => {
    const restarted = new PodNetwork(options());
    const a = await restarted.status('a');
    const b = await restarted.status('b');
    const c = await restarted.setup('c');
    expect(new Set([a?.ip, b?.ip, c.ip]).size).toBe(3);
    const again = await restarted.setup('a');
    expect(again.ip).toBe(a?.ip);
    await ping(c.netnsName, again.ip);
  });

  it('maps a hostPort to a pod listener for an external client and for localhost', async () => {
    const hostPort = randomInt(20000, 30000);
    const a = await net.setup('a', [{ protocol: 'TCP', hostPort, containerPort: 8080 }]);
    servers.push(spawn('ip', ['netns', 'exec', a.netnsName, 'busybox', 'httpd', '-f', '-p', '8080', '-h', webroot], { stdio: 'ignore' }));
    // An "external" client: its own netns behind a veth pair to the host on 10.255.<ext>.0/30.
    await sh('ip', ['netns', 'add', extNs]);
    await sh('ip', ['link', 'add', extVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', extNs]);
    await sh('ip', ['addr', 'add', `10.255.${extOctet}.1/30`, 'dev', extVeth]);
    await sh('ip', ['link', 'set', extVeth, 'up']);
    await inNs(extNs, ['ip', 'addr', 'add', `10.255.${extOctet}.2/30`, 'dev', 'eth0']);
    await inNs(extNs, ['ip', 'link', 'set', 'eth0', 'up']);
    await inNs(extNs, ['ip', 'route', 'add', 'default', 'via', `10.255.${extOctet}.1`]);

    expect(await eventually(() => httpGet(extNs, `10.255.${extOctet}.1`, hostPort))).toBe(`hello from pod ${rand}\n`);
    expect(await eventually(() => httpGet(undefined, '127.0.0.1', hostPort))).toBe(`hello from pod ${rand}\n`);
    // Without a mapping the port is closed.
    await expect(httpGet(extNs, `10.255.${extOctet}.1`, hostPort + 1)).rejects.toBeInstanceOf(CommandError);
    expect(await iptablesSave()).toContain(`--comment "keelson-hostport:a" -j DNAT --to-destination ${a.ip}:8080`);
  });

  it('teardown removes netns, veth, hostPort rules and the IP, and is idempotent', async () => {
    const a = await net.status('a');
    expect(a).toBeDefined();
    await net.teardown('a');
    await net.teardown('a');
    expect((await sh('ip', ['netns', 'list'])).stdout).not.toContain(`kt${rand}-a `);
    await expect(fs.access(`/run/netns/kt${rand}-a`)).rejects.toThrow();
    await expect(sh('ip', ['link', 'show', 'dev', a!.hostVeth])).rejects.toThrow(/does not exist/);
    expect(await iptablesSave()).not.toContain('keelson-hostport:a"');
    expect(await net.allocator.find('a')).toBeUndefined();
    expect(await net.status('a')).toBeUndefined();
    // b is untouched.
    const b = await net.status('b');
    await ping(undefined, b!.ip);
  });

  it('tears down a half set up sandbox (netns and IP only)', async () => {
    await net.allocator.allocate('half');
    await sh('ip', ['netns', 'add', `kt${rand}-half`]);
    await net.teardown('half');
    await expect(fs.access(`/run/netns/kt${rand}-half`)).rejects.toThrow();
    expect(await net.allocator.find('half')).toBeUndefined();
  });

  it('programs routes to other nodes and removes stale ones', async () => {
    // This kernel has no dummy links: a veth pair stands in for the node network.
    await sh('ip', ['link', 'add', dummy, 'type', 'veth', 'peer', 'name', `${dummy}p`]);
    await sh('ip', ['addr', 'add', `10.255.${linkOctet}.1/24`, 'dev', dummy]);
    await sh('ip', ['link', 'set', `${dummy}p`, 'up']);
    await sh('ip', ['link', 'set', dummy, 'up']);
    const other1 = `10.255.${base + 3}.0/24`;
    const other2 = `10.255.${base + 4}.0/24`;
    const show = async () => (await sh('ip', ['route', 'show', 'proto', String(routeProtocol)])).stdout;
    await net.addRoutes([
      { podCIDR: podNet, nodeIP: `10.255.${linkOctet}.9` }, // our own CIDR: skipped
      { podCIDR: other1, nodeIP: `10.255.${linkOctet}.2` },
    ]);
    expect(await show()).toBe(`${other1} via 10.255.${linkOctet}.2 dev ${dummy} \n`);
    await net.addRoutes([{ podCIDR: other2, nodeIP: `10.255.${linkOctet}.3` }]);
    expect(await show()).toBe(`${other2} via 10.255.${linkOctet}.3 dev ${dummy} \n`);
    await net.addRoutes([]);
    expect(await show()).toBe('');
  });

  it('removeNode deletes the bridge and our chains', async () => {
    for (const id of sandboxes) await net.teardown(id);
    await net.removeNode();
    await expect(sh('ip', ['link', 'show', 'dev', bridge])).rejects.toThrow(/does not exist/);
    expect(await iptablesSave()).not.toContain(`KT${rand.toUpperCase()}`);
  });
});
