// Unit tests of PodNetwork's command sequences with a recording runner: rollback, tolerant teardown, hostPorts, route diffs.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandError, type CommandResult, type CommandRunner } from './exec';
import { splitIptablesLine } from './iptables';
import { PodNetwork, PodNetworkError } from './network';

type Handler = (cmd: string) => CommandResult | Error | undefined;

class FakeRunner implements CommandRunner {
  readonly calls: string[] = [];
  constructor(private readonly handler: Handler) {}
  async run(file: string, args: readonly string[], options?: { input?: string }): Promise<CommandResult> {
    // `ip [-n ns] -batch -` is recorded as the commands it runs, each as if run alone (as ip stops at the first failure).
    const batch = args.indexOf('-batch');
    if (batch >= 0 && options?.input !== undefined) {
      const prefix = [file, ...args.slice(0, batch)].join(' ');
      for (const line of options.input.split('\n').filter((l) => l !== '')) {
        const cmd = `${prefix} ${line}`;
        this.calls.push(cmd);
        const r = this.handler(cmd);
        if (r instanceof Error) throw r;
      }
      return { stdout: '', stderr: '' };
    }
    const cmd = [file, ...args].join(' ');
    this.calls.push(cmd);
    const r = this.handler(cmd);
    if (r instanceof Error) throw r;
    return r ?? { stdout: '', stderr: '' };
  }
}
const fail = (cmd: string, stderr: string, code = 1) => new CommandError(cmd.split(' ')[0]!, cmd.split(' ').slice(1), code, stderr);

describe('PodNetwork (recorded commands)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keelson-netunit-'));
    await fs.mkdir(path.join(dir, 'netns'));
    await fs.mkdir(path.join(dir, 'sys/net/ipv4/conf/br0'), { recursive: true });
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  const make = (handler: Handler) => {
    const runner = new FakeRunner(handler);
    const net = new PodNetwork({
      podCIDR: '10.42.0.0/24',
      clusterCIDR: '10.42.0.0/16',
      stateDir: path.join(dir, 'state'),
      bridgeName: 'br0',
      mtu: 1450,
      runner,
      sysctlDir: path.join(dir, 'sys'),
      netnsDir: path.join(dir, 'netns'),
    });
    return { runner, net };
  };

  it('sets up a pod with the expected iproute2 commands and DNAT rules', async () => {
    const { runner, net } = make((cmd) => (cmd.includes(' -C ') ? fail(cmd, 'Bad rule', 1) : cmd.startsWith('ip link show') ? fail(cmd, 'Device "x" does not exist.') : undefined));
    const st = await net.setup('s1', [{ protocol: 'UDP', hostPort: 5353, containerPort: 53, hostIP: '192.0.2.10' }]);
    expect(st).toMatchObject({ ip: '10.42.0.2', gateway: '10.42.0.1', prefixLength: 24, netnsName: 'keelson-s1', mtu: 1450 });
    expect(st.hostVeth).toMatch(/^veth[0-9a-f]{8}$/);
    expect(runner.calls).toEqual(
      expect.arrayContaining([
        'ip netns add keelson-s1',
        'ip -n keelson-s1 link set lo up',
        `ip link add ${st.hostVeth} mtu 1450 type veth peer name eth0 mtu 1450 netns keelson-s1`,
        `ip link set ${st.hostVeth} master br0`,
        'ip -n keelson-s1 addr replace 10.42.0.2/24 dev eth0',
        'ip -n keelson-s1 route replace default via 10.42.0.1 dev eth0',
        'iptables -w 5 -t nat -A KEELSON-HOSTPORTS -d 192.0.2.10/32 -p udp -m udp --dport 5353 -m comment --comment keelson-hostport:s1 -j DNAT --to-destination 10.42.0.2:53',
      ]),
    );
  });

  it('rolls back a failed setup: removes what was created and releases the IP', async () => {
    const { runner, net } = make((cmd) =>
      cmd.startsWith('ip link show') ? fail(cmd, 'Device "x" does not exist.') : cmd.includes('type veth') ? fail(cmd, 'RTNETLINK answers: Operation not permitted', 2) : undefined,
    );
    const err: unknown = await net.setup('s2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PodNetworkError);
    expect((err as Error).message).toMatch(/setup for sandbox s2: .*Operation not permitted/);
    expect(runner.calls.some((c) => /^ip link del veth[0-9a-f]{8}$/.test(c))).toBe(true);
    expect(await net.allocator.find('s2')).toBeUndefined();
  });

  it('teardown of a sandbox that does not exist succeeds, and a real failure is reported with the IP kept', async () => {
    const gone = make((cmd) => (cmd.startsWith('ip link del') ? fail(cmd, 'Cannot find device "veth01234567"') : cmd.includes(' -S ') ? fail(cmd, "chain `KEELSON-HOSTPORTS' in table `nat' is incompatible, use 'nft' tool.") : undefined));
    await expect(gone.net.teardown('nothing')).resolves.toBeUndefined();

    const broken = make((cmd) => (cmd.startsWith('ip link del') ? fail(cmd, 'RTNETLINK answers: Device or resource busy', 2) : undefined));
    await broken.net.allocator.allocate('s3');
    await expect(broken.net.teardown('s3')).rejects.toThrow(/teardown for sandbox s3: .*resource busy/);
    expect(await broken.net.allocator.find('s3')).toBe('10.42.0.2');
  });

  it('removes exactly the hostPort rules of the sandbox, parsed from iptables -S', async () => {
    const listing = [
      '-N KEELSON-HOSTPORTS',
      '-A KEELSON-HOSTPORTS -p tcp -m tcp --dport 8080 -m comment --comment "keelson-hostport:s4" -j DNAT --to-destination 10.42.0.5:80',
      '-A KEELSON-HOSTPORTS -p tcp -m tcp --dport 9090 -m comment --comment "keelson-hostport:s40" -j DNAT --to-destination 10.42.0.6:80',
    ].join('\n');
    const { runner, net } = make((cmd) => (cmd.includes(' -S ') ? { stdout: listing, stderr: '' } : cmd.startsWith('ip link del') ? fail(cmd, 'Cannot find device') : undefined));
    await net.teardown('s4');
    const deletes = runner.calls.filter((c) => c.includes(' -D '));
    expect(deletes).toEqual(['iptables -w 5 -t nat -D KEELSON-HOSTPORTS -p tcp -m tcp --dport 8080 -m comment --comment keelson-hostport:s4 -j DNAT --to-destination 10.42.0.5:80']);
  });

  it('installs masquerade for traffic leaving the cluster CIDR, forwarding, and jumps at the head of built-in chains', async () => {
    await fs.writeFile(path.join(dir, 'sys/net/ipv4/ip_forward'), '0');
    const { runner, net } = make((cmd) => (cmd.includes(' -C ') ? fail(cmd, 'Bad rule', 1) : undefined));
    await net.ensureNode();
    expect(runner.calls).toEqual(
      expect.arrayContaining([
        'ip addr replace 10.42.0.1/24 dev br0',
        'iptables -w 5 -t nat -A KEELSON-POSTROUTING -s 10.42.0.0/24 ! -d 10.42.0.0/16 -m comment --comment keelson: masquerade pod traffic leaving the cluster CIDR -j MASQUERADE',
        'iptables -w 5 -t nat -I POSTROUTING 1 -m comment --comment keelson pod masquerade -j KEELSON-POSTROUTING',
        'iptables -w 5 -t filter -A KEELSON-FORWARD -d 10.42.0.0/24 -j ACCEPT',
      ]),
    );
    expect(await fs.readFile(path.join(dir, 'sys/net/ipv4/ip_forward'), 'utf8')).toBe('1');
    expect(await fs.readFile(path.join(dir, 'sys/net/ipv4/conf/br0/route_localnet'), 'utf8')).toBe('1');
  });

  it('reconciles routes: keeps unchanged ones, replaces moved ones, deletes stale ones, skips our own CIDR', async () => {
    const current = JSON.stringify([
      { dst: '10.42.1.0/24', gateway: '192.0.2.11' },
      { dst: '10.42.2.0/24', gateway: '192.0.2.12' },
      { dst: '10.42.3.0/24', gateway: '192.0.2.13' },
    ]);
    const { runner, net } = make((cmd) => (cmd.startsWith('ip -j route show proto 213') ? { stdout: current, stderr: '' } : undefined));
    await net.addRoutes([
      { podCIDR: '10.42.0.0/24', nodeIP: '192.0.2.10' },
      { podCIDR: '10.42.1.0/24', nodeIP: '192.0.2.11' },
      { podCIDR: '10.42.2.0/24', nodeIP: '192.0.2.22' },
      { podCIDR: '10.42.4.0/24', nodeIP: '192.0.2.14' },
    ]);
    expect(runner.calls.filter((c) => !c.includes('show'))).toEqual([
      'ip route del 10.42.3.0/24 proto 213',
      'ip route replace 10.42.2.0/24 via 192.0.2.22 proto 213',
      'ip route replace 10.42.4.0/24 via 192.0.2.14 proto 213',
    ]);
  });
});

describe('splitIptablesLine', () => {
  it('splits on spaces and keeps quoted comments whole', () => {
    expect(splitIptablesLine('-A X -m comment --comment "a b \\"c\\"" -j ACCEPT')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a b "c"', '-j', 'ACCEPT']);
    expect(splitIptablesLine('  ')).toEqual([]);
    expect(splitIptablesLine('--comment ""')).toEqual(['--comment', '']);
  });
});
