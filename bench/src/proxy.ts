// Proxy benchmark: nftables sync time for 1,000 Services × 10 endpoints (full, incremental, no-op), and connection rate through a ClusterIP vs straight to the endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import type { EndpointSlice, Service } from '@keelson/api';
import { Nftables, buildRuleset, rulesetCounts, runCommand, servicePorts } from '@keelson/proxy';
import { Cleanups, describeError, formatTable, percentile, UsageError } from './harness';

interface BenchConfig {
  services: number;
  endpoints: number;
  runs: number;
  seconds: number;
  concurrency: number;
}

const USAGE = `usage: node bench/dist/proxy.js [options]   (root: needs nft and ip)

1. Sync: S Services of E endpoints each, as the proxy computes them, applied with nft into a
   table of its own: the first (full) sync, an incremental sync after one Service's endpoints
   change, and a no-op sync; each repeated N times.
2. Connections: a TCP server in a network namespace behind one of those Services; closed-loop
   connect/read/close for T seconds with C in flight, through the ClusterIP (DNAT by the rules)
   and straight to the endpoint's IP, in three alternating rounds each (median round shown).

  --services S     (env KEELSON_BENCH_SERVICES; default 1000)
  --endpoints E    (env KEELSON_BENCH_ENDPOINTS; default 10)
  --runs N         (env KEELSON_BENCH_RUNS; default 5)
  --seconds T      (env KEELSON_BENCH_SECONDS; default 5)
  --concurrency C  (env KEELSON_BENCH_CONCURRENCY; default 16)
`;

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): BenchConfig | 'help' {
  const c: BenchConfig = {
    services: Number(env['KEELSON_BENCH_SERVICES'] ?? 1000),
    endpoints: Number(env['KEELSON_BENCH_ENDPOINTS'] ?? 10),
    runs: Number(env['KEELSON_BENCH_RUNS'] ?? 5),
    seconds: Number(env['KEELSON_BENCH_SECONDS'] ?? 5),
    concurrency: Number(env['KEELSON_BENCH_CONCURRENCY'] ?? 16),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return 'help';
    const v = Number(argv[++i]);
    if (a === '--services') c.services = v;
    else if (a === '--endpoints') c.endpoints = v;
    else if (a === '--runs') c.runs = v;
    else if (a === '--seconds') c.seconds = v;
    else if (a === '--concurrency') c.concurrency = v;
    else throw new UsageError(`unknown option ${String(a)}`);
  }
  for (const [k, v] of Object.entries(c)) if (!Number.isInteger(v) || (v as number) < 1) throw new UsageError(`--${k} must be a positive integer`);
  if (c.services > 60000 || c.endpoints > 250) throw new UsageError('at most 60000 services of 250 endpoints');
  return c;
}

/** Service i gets 10.100.(i/250).(i%250+1) and endpoints in 10.200.x.y; the benchmark Service is the last one. */
function fixtures(c: BenchConfig, endpointVersion: number): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < c.services; i++) {
    const name = `svc-${i}`;
    services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'bench' }, spec: { type: i % 10 === 0 ? 'NodePort' : 'ClusterIP', clusterIP: `10.100.${Math.floor(i / 250)}.${(i % 250) + 1}`, ports: [{ name: 'http', port: 80, protocol: 'TCP', ...(i % 10 === 0 ? { nodePort: 30000 + (i % 2700) } : {}) }] } });
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-x`, namespace: 'bench', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: Array.from({ length: c.endpoints }, (_, e) => {
        // Service 0's endpoints move with `endpointVersion`: the incremental sync's one change.
        const n = i * c.endpoints + e + (i === 0 ? endpointVersion * 1000 : 0);
        return { addresses: [`10.200.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`], conditions: { ready: true } };
      }),
    });
  }
  return { services, slices };
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

async function benchSync(c: BenchConfig, nft: Nftables): Promise<string[][]> {
  const rows: string[][] = [];
  const opts = { nodeName: 'bench', clusterCIDR: '10.200.0.0/16' };
  const times = { compute: [] as number[], full: [] as number[], incremental: [] as number[], noop: [] as number[] };
  let lines = { full: 0, incremental: 0 };
  let counts = { chains: 0, rules: 0, elements: 0, sets: 0 };
  for (let r = 0; r < c.runs; r++) {
    const a = fixtures(c, 0);
    const b = fixtures(c, 1 + r);
    let t = process.hrtime.bigint();
    const rsA = buildRuleset(servicePorts(a.services, a.slices), opts);
    times.compute.push(ms(t));
    counts = rulesetCounts(rsA);
    t = process.hrtime.bigint();
    lines.full = (await nft.apply(rsA, true)).lines;
    times.full.push(ms(t));
    // The proxier's incremental sync: recompute everything from the caches, send only the difference.
    t = process.hrtime.bigint();
    const rsB = buildRuleset(servicePorts(b.services, b.slices), opts);
    lines.incremental = (await nft.apply(rsB)).lines;
    times.incremental.push(ms(t));
    t = process.hrtime.bigint();
    await nft.apply(buildRuleset(servicePorts(b.services, b.slices), opts));
    times.noop.push(ms(t));
  }
  const stat = (xs: number[]): string[] => {
    const s = Float64Array.from(xs).sort();
    return [percentile(s, 50).toFixed(1), (s[s.length - 1] ?? 0).toFixed(1)];
  };
  rows.push(['compute ruleset (no nft)', '-', ...stat(times.compute)]);
  rows.push(['full sync (rebuild table)', String(lines.full), ...stat(times.full)]);
  rows.push(['incremental (1 service changed)', String(lines.incremental), ...stat(times.incremental)]);
  rows.push(['no-op sync', '0', ...stat(times.noop)]);
  console.log(`ruleset: ${c.services} services × ${c.endpoints} endpoints → ${counts.chains} chains, ${counts.rules} rules, ${counts.elements} map elements`);
  lines = { full: 0, incremental: 0 };
  return rows;
}

/** Closed loop of connect → read the server's greeting → reset, `concurrency` at a time. */
async function connectionRate(host: string, port: number, seconds: number, concurrency: number): Promise<{ rate: number; p50: number; p99: number; errors: number }> {
  const deadline = Date.now() + seconds * 1000;
  const lat: number[] = [];
  let errors = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t = process.hrtime.bigint();
      const s = net.connect({ host, port });
      s.setTimeout(3000, () => s.destroy(new Error('timeout')));
      // Read the greeting, then reset: no TIME_WAIT on either side, so one client can open tens of
      // thousands of connections to one server without tripping over its own old ports (the
      // limit a benchmark would otherwise measure, for both paths, instead of the NAT).
      s.once('data', () => {
        lat.push(ms(t));
        s.resetAndDestroy();
        resolve();
      });
      s.on('error', () => {
        errors++;
        resolve();
      });
    });
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  const sorted = Float64Array.from(lat).sort();
  return { rate: lat.length / ((Date.now() - start) / 1000), p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors };
}

async function main(): Promise<void> {
  const c = parseArgs(process.argv.slice(2), process.env);
  if (c === 'help') {
    console.log(USAGE);
    return;
  }
  const id = randomBytes(3).toString('hex');
  const table = `kp-bench-${id}`;
  const cleanups = new Cleanups();
  const nft = new Nftables(table);
  const onSignal = (): void => {
    void cleanups.runAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    cleanups.add('nft table', async () => {
      await nft.cleanup();
    });
    const rows = await benchSync(c, nft);
    console.log(formatTable(['sync', 'nft lines', 'p50 ms', 'max ms'], rows));

    // An endpoint in a netns: veth pair, a one-line TCP server that greets each connection.
    const ns = `kpb-${id}`;
    const hostIf = `kpbh${id}`;
    const podIf = `kpbp${id}`;
    await runCommand('ip', ['netns', 'add', ns]);
    cleanups.add('netns', async () => {
      await runCommand('ip', ['netns', 'del', ns]);
    });
    await runCommand('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', podIf]);
    cleanups.add('veth', async () => {
      await runCommand('ip', ['link', 'del', hostIf]).catch(() => undefined);
    });
    await runCommand('ip', ['link', 'set', podIf, 'netns', ns]);
    await runCommand('ip', ['addr', 'add', '10.251.0.1/30', 'dev', hostIf]);
    await runCommand('ip', ['link', 'set', hostIf, 'up']);
    await runCommand('ip', ['-n', ns, 'addr', 'add', '10.251.0.2/30', 'dev', podIf]);
    await runCommand('ip', ['-n', ns, 'link', 'set', podIf, 'up']);
    await runCommand('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await runCommand('ip', ['-n', ns, 'route', 'add', 'default', 'via', '10.251.0.1']);
    const server: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', "require('net').createServer((s)=>{s.on('error',()=>{});s.write('ok')}).listen(8080,'10.251.0.2',()=>console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.add('server', async () => {
      server.kill('SIGKILL');
      await new Promise((r) => (server.exitCode !== null ? r(undefined) : server.once('exit', r)));
    });
    await new Promise<void>((resolve, reject) => {
      server.stdout?.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`endpoint server exited (${String(code)})`)));
    });
    // The benchmark Service: the last of the 1,000, pointing at the netns server, among all the others.
    const f = fixtures(c, 0);
    const last = f.slices[f.slices.length - 1];
    const lastSvc = f.services[f.services.length - 1];
    if (!last || !lastSvc) throw new Error('no fixtures');
    last.endpoints = [{ addresses: ['10.251.0.2'], conditions: { ready: true } }];
    await nft.apply(buildRuleset(servicePorts(f.services, f.slices), { nodeName: 'bench', clusterCIDR: '10.200.0.0/16' }));
    const clusterIP = lastSvc.spec?.clusterIP ?? '';
    // Alternating rounds, so load from elsewhere on the machine falls on both paths alike; the median round is reported.
    const rounds = { direct: [] as Awaited<ReturnType<typeof connectionRate>>[], service: [] as Awaited<ReturnType<typeof connectionRate>>[] };
    for (let r = 0; r < 3; r++) {
      rounds.direct.push(await connectionRate('10.251.0.2', 8080, c.seconds, c.concurrency));
      rounds.service.push(await connectionRate(clusterIP, 80, c.seconds, c.concurrency));
    }
    const median = (xs: Awaited<ReturnType<typeof connectionRate>>[]): Awaited<ReturnType<typeof connectionRate>> => {
      const sorted = [...xs].sort((x, y) => x.rate - y.rate);
      const m = sorted[1] ?? sorted[0];
      if (!m) throw new Error('no rounds');
      return m;
    };
    const direct = median(rounds.direct);
    const viaService = median(rounds.service);
    const row = (name: string, r: typeof direct): string[] => [name, r.rate.toFixed(0), r.p50.toFixed(3), r.p99.toFixed(3), String(r.errors)];
    console.log(formatTable(['path', 'conn/s', 'p50 ms', 'p99 ms', 'errors'], [row('pod IP (10.251.0.2:8080)', direct), row(`ClusterIP (${clusterIP}:80, ${c.services} services)`, viaService)]));
  } finally {
    const failures = await cleanups.runAll();
    for (const f of failures) console.error(describeError(f));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof UsageError ? `${e.message}\n\n${USAGE}` : describeError(e));
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
