// End-to-end: the README's first command (scripts/quickstart.sh) starts a cluster, deploys manifests/quickstart/ and prints what to try next.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupNodeSync, freeClusterOctet, freePort, REPO_ROOT, run, sleep, usedPrefixes } from './harness';

jest.setTimeout(400_000);

const id = randomBytes(2).toString('hex');
const dir = mkdtempSync(join(tmpdir(), `keelson-qs-${id}-`));
const node = { dir: join(dir, 'node'), cgroupRoot: `kqs-${id}`, bridge: `kq${id}`, chainPrefix: `KQ${id}`.toUpperCase(), netns: undefined };
let clusterCIDR = '';
/** Whether the host had the kube-dns address (which the server's proxy puts on lo) before the test. */
let hadDnsAddress = true;
const kubeconfig = join(dir, 'kubeconfig');
const pidfile = join(dir, 'server', 'server.pid');

async function stopServer(): Promise<void> {
  if (!existsSync(pidfile)) return;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // The script starts the server with setsid: its process group is its pid.
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && alive(); i++) await sleep(100);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
}

afterAll(async () => {
  await stopServer();
  if (clusterCIDR !== '') cleanupNodeSync(node, clusterCIDR);
  await run('nft', ['delete', 'table', 'ip', `kqs-proxy-${id}`]).catch(() => undefined);
  if (!hadDnsAddress) await run('ip', ['addr', 'del', '10.96.0.10/32', 'dev', 'lo']).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 180_000);

describe('quickstart', () => {
  it('starts a single-node cluster, deploys the hello app, shows it answering and says what to try next', async () => {
    hadDnsAddress = (await run('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).stdout.includes(' 10.96.0.10/32 ');
    clusterCIDR = `10.${freeClusterOctet(await usedPrefixes())}.0.0/16`;
    const images = join(dir, 'images');
    await run('bash', [join(REPO_ROOT, 'scripts/provision/prepare.sh')], { env: { ...process.env, KEELSON_IMAGES_DIR: images }, timeoutMs: 300_000 });
    const env = {
      ...process.env,
      KEELSON_SKIP_SETUP: '1', // the suite runs after scripts/setup.sh
      KEELSON_DATA_DIR: join(dir, 'server'),
      KEELSON_KUBECONFIG: kubeconfig,
      KEELSON_LOG: join(dir, 'server.log'),
      // What a fresh machine gets by default, moved aside so it cannot meet another cluster on this machine.
      KEELSON_PORT: String(await freePort('127.0.0.1')),
      KEELSON_KUBELET_PORT: String(await freePort('127.0.0.1')),
      KEELSON_KUBELET_ROOT: node.dir,
      KEELSON_CGROUP_ROOT: node.cgroupRoot,
      KEELSON_BRIDGE: node.bridge,
      KEELSON_CHAIN_PREFIX: node.chainPrefix,
      KEELSON_CLUSTER_CIDR: clusterCIDR,
      KEELSON_LOCAL_PATH_DIR: join(dir, 'storage'),
      KEELSON_IMAGES_DIR: images,
      KEELSON_NODE_NAME: `qs-${id}`,
      KEELSON_LOG_LEVEL: 'warn',
      KEELSON_PROXY_TABLE: `kqs-proxy-${id}`,
      KEELSON_PROXY_HEALTHZ_PORT: '0',
      KEELSON_PROXY_METRICS_PORT: '0',
    };
    const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts/quickstart.sh')], { env, timeoutMs: 360_000 });
    expect(stdout).toMatch(/hello answered: hello from keelson \(hello-[a-z0-9]+-[a-z0-9]+\)/);
    expect(stdout).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(stdout).toContain('bin/keelctl get nodes');
    const keelctl = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/keelctl'), '--kubeconfig', kubeconfig, ...args]);
    expect((await keelctl('get', 'deployment', 'hello')).stdout).toMatch(/hello\s+3\/3/);
    expect((await keelctl('get', 'nodes')).stdout).toMatch(new RegExp(`qs-${id}\\s+Ready`));

    // Run again: it finds the running server instead of starting a second one.
    const again = await run('bash', [join(REPO_ROOT, 'scripts/quickstart.sh')], { env, timeoutMs: 120_000 });
    expect(again.stdout).toContain('a server is already running');
    expect(again.stdout).toMatch(/hello answered: hello from keelson/);
  });
});
