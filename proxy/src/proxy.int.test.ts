// The proxy on a real node: API server, shim, kubelet with busybox httpd pods, the EndpointSlice controller, nftables and DNS.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EndpointSlice, Pod, Service } from '@keelson/api';
import { startTestServer, type TestServer } from '@keelson/apiserver';
import { RestClient, SharedIndexInformer } from '@keelson/client';
import { EndpointSliceController } from '@keelson/controller-manager';
import { buildBusyboxImage, run as runKubelet, startShim, type RunningKubelet, type RunningShim } from '@keelson/kubelet';
import { cleanup, run, type RunningProxy } from './run';
import { createLogger } from './log';

const suffix = randomBytes(3).toString('hex');
const dir = mkdtempSync(path.join(os.tmpdir(), 'keelson-proxy-'));
const octet = 100 + (parseInt(suffix.slice(0, 2), 16) % 100);
const nodeName = `kp-${suffix}`;
const podCIDR = `10.252.${octet}.0/24`;
// A DNS address of its own, so the test never collides with a cluster running on this machine.
const dnsIP = `10.96.0.${200 + (parseInt(suffix.slice(2, 4), 16) % 50)}`;
const table = `kp-test-${suffix}`;
const shimOptions = { root: path.join(dir, 'shim'), socket: path.join(dir, 'shim', 'shim.sock'), cgroupRoot: `keelson-kp-${suffix}`, chainPrefix: `KT${suffix.toUpperCase()}`, bridge: `kp${suffix}`, clusterCIDR: podCIDR };
const nodeIP = Object.values(os.networkInterfaces()).flatMap((l) => l ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';

let api: TestServer;
let client: RestClient;
let shim: RunningShim;
let kubelet: RunningKubelet;
let proxy: RunningProxy;
const abort = new AbortController();
const runs: Promise<unknown>[] = [];

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pods = () => client.resource('v1', 'Pod').namespace('default');
const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function httpdPod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: {
      nodeName,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'httpd',
          image: 'busybox',
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', `mkdir -p /www && echo ${name} > /www/index.html && touch /tmp/ready && exec httpd -f -p 80 -h /www`],
          ports: [{ name: 'http', containerPort: 80 }],
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
        },
      ],
    },
  };
}

/** One HTTP GET on a fresh connection (so every request is balanced anew). */
function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port} timed out`)));
    req.on('error', reject);
  });
}

/** One UDP datagram and its answer (undefined after 500 ms of silence). */
function udpAsk(host: string, port: number, text: string): Promise<string | undefined> {
  const sock = dgram.createSocket('udp4');
  return new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 500);
    sock.on('message', (m) => {
      clearTimeout(timer);
      resolve(m.toString());
    });
    sock.on('error', () => resolve(undefined));
    sock.send(text, port, host);
  }).finally(() => sock.close());
}

async function spread(host: string, port: number, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const body = await get(host, port);
    counts.set(body, (counts.get(body) ?? 0) + 1);
  }
  return counts;
}

async function execIn(podName: string, cmd: string[]): Promise<{ out: string; code: number }> {
  const p = (await pods().get(podName));
  const id = p.status?.containerStatuses?.[0]?.containerID?.replace('keelson://', '') ?? '';
  const r = await kubelet.runtime().execSync(id, cmd, 10);
  return { out: r.stdout.toString() + r.stderr.toString(), code: r.exitCode };
}

const nftTables = (): string => execFileSync('nft', ['list', 'tables', 'ip']).toString();
const loAddrs = (): string => execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']).toString();

beforeAll(async () => {
  const image = await buildBusyboxImage({ out: path.join(dir, 'busybox.tar') });
  shim = await startShim(shimOptions);
  await shim.runtime.importImage(image.path);
  const d = mkdtempSync(path.join(os.tmpdir(), 'keelson-proxy-api-'));
  api = await startTestServer(`sqlite://${path.join(d, 'state.db')}`, () => rmSync(d, { recursive: true, force: true }));
  client = new RestClient({ config: { server: api.url, namespace: 'default', tls: { insecureSkipTlsVerify: false }, auth: {}, source: 'test' } });
  kubelet = runKubelet(
    { client, nodeName, rootDir: path.join(dir, 'kubelet'), runtimeEndpoint: shimOptions.socket, podCIDR, nodeIP, clusterDNS: [dnsIP], relistMs: 200, logLevel: 'error' },
    abort.signal,
  );
  runs.push(kubelet.done);
  await kubelet.ready;

  const logger = createLogger('error');
  const services = new SharedIndexInformer<Service>(client.resource('v1', 'Service'), { name: 'services' });
  const podInformer = new SharedIndexInformer<Pod>(client.resource('v1', 'Pod'), { name: 'pods' });
  const slices = new SharedIndexInformer<EndpointSlice>(client.resource('discovery.k8s.io/v1', 'EndpointSlice'), { name: 'slices' });
  const controller = new EndpointSliceController({ client, services, pods: podInformer, slices, logger });
  for (const inf of [services, podInformer, slices] as SharedIndexInformer<Service | Pod | EndpointSlice>[]) runs.push(inf.run(abort.signal));
  runs.push(controller.run(abort.signal));

  proxy = run({ client, nodeName, clusterCIDR: podCIDR, dnsIP, table, healthzPort: 0, metricsPort: 0, healthzBindAddress: '127.0.0.1', logLevel: 'error' }, abort.signal);
  runs.push(proxy.done);
  await proxy.ready;
}, 120_000);

afterAll(async () => {
  abort.abort();
  await Promise.allSettled(runs);
  await shim?.destroyNode().catch(() => undefined);
  await shim?.close();
  client?.close();
  await api?.stop();
  // The proxy leaves its rules on exit (traffic keeps flowing); `keelson proxy --cleanup` removes them.
  const hadTable = nftTables().includes(`table ip ${table}`);
  const cleaning = run({ nodeName, table, dnsIP, cleanup: true, quiet: true }, new AbortController().signal);
  await cleaning.done.catch(() => cleanup({ table, dnsIP }));
  rmSync(dir, { recursive: true, force: true });
  expect(hadTable).toBe(true);
  expect(nftTables()).not.toContain(`table ip ${table}`);
  expect(loAddrs()).not.toContain(` ${dnsIP}/32 `);
}, 60_000);

describe('proxy on a real node', () => {
  let web: Service;

  it('balances a ClusterIP and a NodePort over all three ready httpd pods', async () => {
    await Promise.all(['web-0', 'web-1', 'web-2'].map((n) => pods().create(httpdPod(n))));
    await until('three ready pods', async () => {
      const list = (await pods().list()).items;
      return list.filter((p) => p.metadata?.name?.startsWith('web-') && isReady(p)).length === 3 ? true : undefined;
    });
    web = (await client.resource('v1', 'Service').namespace('default').create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    }));
    const ip = web.spec?.clusterIP ?? '';
    const nodePort = web.spec?.ports?.[0]?.nodePort ?? 0;
    // The first answer proves the slice reached the proxy and the rules are in.
    await until('the ClusterIP to answer', () => get(ip, 80).then((b) => (b.startsWith('web-') ? b : undefined)));
    const viaClusterIP = await spread(ip, 80, 60);
    expect([...viaClusterIP.keys()].sort()).toEqual(['web-0', 'web-1', 'web-2']);
    const viaNodePort = await spread(nodeIP, nodePort, 60);
    expect([...viaNodePort.keys()].sort()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('takes a pod that turns unready out of the rotation within 2 s of its Ready condition going false', async () => {
    const ip = web.spec?.clusterIP ?? '';
    expect((await execIn('web-2', ['rm', '/tmp/ready'])).code).toBe(0);
    await until('web-2 to be reported unready', async () => (!isReady((await pods().get('web-2'))) ? true : undefined), 15_000);
    const unreadyAt = Date.now();
    // Leaving the rotation: 30 requests in a row that none lands on web-2.
    await until(
      'web-2 to leave the rotation',
      async () => {
        const counts = await spread(ip, 80, 30);
        return counts.has('web-2') ? undefined : true;
      },
      10_000,
    );
    expect(Date.now() - unreadyAt).toBeLessThan(2000 + 30 * 50);
    expect((await execIn('web-2', ['touch', '/tmp/ready'])).code).toBe(0);
    await until('web-2 back in the rotation', async () => ((await spread(ip, 80, 30)).has('web-2') ? true : undefined), 15_000);
  });

  it('keeps a client on one pod with sessionAffinity: ClientIP', async () => {
    const svcs = client.resource('v1', 'Service').namespace('default');
    await svcs.patch('web', 'merge', { spec: { sessionAffinity: 'ClientIP' } });
    const ip = web.spec?.clusterIP ?? '';
    // Wait for the affinity rules, then every request from this host lands on one pod.
    await until('affinity', async () => ((await spread(ip, 80, 20)).size === 1 ? true : undefined), 10_000);
    expect((await spread(ip, 80, 30)).size).toBe(1);
    await svcs.patch('web', 'merge', { spec: { sessionAffinity: 'None' } });
    await until('affinity off', async () => ((await spread(ip, 80, 30)).size === 3 ? true : undefined), 10_000);
  });

  it('resolves Service names from inside a pod and serves them through the ClusterIP', async () => {
    await pods().create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client' },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
    });
    await until('the client pod', async () => (isReady((await pods().get('client'))) ? true : undefined));
    const resolv = await execIn('client', ['cat', '/etc/resolv.conf']);
    expect(resolv.out).toContain(`nameserver ${dnsIP}`);
    const wget = await execIn('client', ['wget', '-qO-', 'http://web.default.svc.cluster.local']);
    expect(wget.code).toBe(0);
    expect(wget.out.trim()).toMatch(/^web-[012]$/);
    // The short name works through the search path too.
    expect((await execIn('client', ['wget', '-qO-', 'http://web'])).out.trim()).toMatch(/^web-[012]$/);
    const ns = await execIn('client', ['nslookup', 'web.default.svc.cluster.local']);
    expect(ns.code).toBe(0);
    expect(ns.out).toContain(web.spec?.clusterIP ?? 'missing');
    const missing = await execIn('client', ['nslookup', 'nope.default.svc.cluster.local']);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/NXDOMAIN|can't find/);
  });

  it('lets a pod reach its own Service (hairpin)', async () => {
    // A frame DNATed back to the port it came in on needs hairpin mode on that bridge port. That is
    // the pod network's job (the CNI bridge plugin's hairpinMode, kubelet's --hairpin-mode), which
    // Keelson's kubelet network does not do yet: set it here for this bridge's ports.
    const brif = `/sys/class/net/${shimOptions.bridge}/brif`;
    for (const port of readdirSync(brif)) writeFileSync(`${brif}/${port}/hairpin_mode`, '1');
    // From web-0 through the ClusterIP: eventually the balancer picks web-0 itself, and that answer must come back.
    const seen = new Set<string>();
    for (let i = 0; i < 40 && !seen.has('web-0'); i++) {
      const r = await execIn('web-0', ['wget', '-qO-', `http://${web.spec?.clusterIP ?? ''}`]);
      expect(r.code).toBe(0);
      seen.add(r.out.trim());
    }
    expect(seen.has('web-0')).toBe(true);
  });

  it('balances UDP: a selector-less Service with a hand-written EndpointSlice, to a UDP server in web-0\'s network namespace', async () => {
    const podIP = ((await pods().get('web-0'))).status?.podIP ?? '';
    const netns = execFileSync('ip', ['netns', 'list']).toString().split('\n').map((l) => l.split(' ')[0] ?? '').find((n) => n !== '' && execFileSync('ip', ['-n', n, '-4', '-o', 'addr']).toString().includes(` ${podIP}/`));
    expect(netns).toBeDefined();
    // busybox has no UDP server: run node's, inside the pod's network namespace only.
    const server = spawn('ip', ['netns', 'exec', netns ?? '', process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('udp:'+m,r.port,r.address));s.bind(9053,()=>console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.once('data', () => resolve());
        server.once('exit', (c) => reject(new Error(`udp server exited ${String(c)}`)));
      });
      const svc = (await client.resource('v1', 'Service').namespace('default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'udp' }, spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 9053 }] } }));
      await client.resource('discovery.k8s.io/v1', 'EndpointSlice').namespace('default').create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'udp-1', labels: { 'kubernetes.io/service-name': 'udp' } },
        addressType: 'IPv4',
        ports: [{ name: 'dns', port: 9053, protocol: 'UDP' }],
        endpoints: [{ addresses: [podIP], conditions: { ready: true } }],
      });
      const reply = await until('a UDP answer through the ClusterIP', () => udpAsk(svc.spec?.clusterIP ?? '', 53, 'ping'), 10_000);
      expect(reply).toBe('udp:ping');
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('rejects connections to a Service without endpoints, drops a deleted Service, and reports health and metrics', async () => {
    const svcs = client.resource('v1', 'Service').namespace('default');
    const none = (await svcs.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'none' }, spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] } }));
    await until('a refused connection', () => get(none.spec?.clusterIP ?? '', 80).then(() => undefined, (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? true : undefined)), 10_000);
    await svcs.delete('web');
    // Once its rules are gone, the ClusterIP is just an address off the node (this sandbox's gateway even answers on port 80).
    await until('web to leave the node', () => get(web.spec?.clusterIP ?? '', 80).then((body) => (body.startsWith('web-') ? undefined : true), () => true), 10_000);
    const rules = execFileSync('nft', ['list', 'table', 'ip', table]).toString();
    expect(rules).not.toContain('default/web/');
    const health = await fetch(`${proxy.healthzUrl()}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { nodeName: string }).nodeName).toBe(nodeName);
    const metrics = await (await fetch(`${proxy.metricsUrl()}/metrics`)).text();
    expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]/);
    expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);
    expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_nftables_objects\{kind="chains"\} \d+/);
  });
});
