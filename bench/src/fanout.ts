// Watch fan-out: many HTTP watch streams on one collection, then spaced-out creates, timing each event's arrival at each watcher.
import { Agent, request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { closedLoop, CpuMeter, Interrupted, sleep, type LoadResult } from './harness';
import { HttpStatusError, type HttpClient } from './http';
import { configMap } from './fixtures';

export interface FanoutConfig {
  watchers: number;
  changes: number;
  /** Pause between one change reaching every watcher and the next write. */
  intervalMs: number;
  /** Watch requests opened at once while connecting the watchers. */
  openConcurrency: number;
  /** How long one change may take to reach every watcher before the run fails. */
  deliveryTimeoutMs: number;
}

export interface FanoutResult {
  watchers: number;
  changes: number;
  /** Events that arrived as expected (watchers × changes when all is well). */
  delivered: number;
  /** Every (watcher, change) pair: ms from just before the create was sent to the event's arrival. Sorted. */
  fromWriteStart: Float64Array;
  /** The same, from the create's response (negative when the event beat the response). Sorted. */
  fromWriteDone: Float64Array;
  /** Per change: ms from just before the write until the last watcher had the event. Sorted. */
  lastWatcher: Float64Array;
  /** Latency of opening each watch (request sent → 200 headers). */
  open: LoadResult;
  /** What went wrong, one line per problem (empty when every watcher got every event once, in order). */
  problems: string[];
  /** CPU seconds used during the change phase by [benchmark, API server, etcd]. */
  cpu: (number | undefined)[];
}

/** The API server refused or failed a watch; retried only while its watch cache initialises. */
class WatchOpenError extends HttpStatusError {}

/** One HTTP watch stream: keeps each complete line with the time its last byte arrived. */
class WatchConnection {
  readonly lines: string[] = [];
  readonly arrivals: number[] = [];
  /** Why the stream ended, when it ended before we closed it. */
  endedEarly: string | undefined;
  private partial = '';
  private req: ClientRequest | undefined;
  private closing = false;

  constructor(
    private readonly onLine: () => void,
    private readonly onEnd: (conn: WatchConnection) => void,
  ) {}

  /** Resolves once the server has answered 200 and streams; rejects on any other answer. */
  open(agent: Agent, host: string, port: number, path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request({ agent, host, port, path, method: 'GET', headers: { accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(new WatchOpenError('GET', path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
          res.on('error', reject);
          return;
        }
        res.on('data', (chunk: Buffer) => {
          // Timestamp first: everything after is this process's own cost, not the server's.
          const at = performance.now();
          let text = this.partial + chunk.toString('utf8');
          for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
            this.lines.push(text.slice(0, nl));
            this.arrivals.push(at);
            text = text.slice(nl + 1);
            this.onLine();
          }
          this.partial = text;
        });
        const ended = (why: string): void => {
          if (this.closing || this.endedEarly !== undefined) return;
          this.endedEarly = why;
          this.onEnd(this);
        };
        res.on('end', () => ended('the server ended the stream'));
        res.on('error', (err) => ended(`stream error: ${err.message}`));
        res.on('close', () => ended('the connection closed'));
        resolve();
      });
      req.on('error', reject);
      req.end();
      this.req = req;
    });
  }

  close(): void {
    this.closing = true;
    this.req?.destroy();
  }
}

interface WatchLine {
  type?: string;
  object?: { metadata?: { name?: string; resourceVersion?: string }; message?: string };
}

/**
 * Opens `watchers` watches on `/api/v1/namespaces/<ns>/configmaps` from the current revision,
 * creates `changes` ConfigMaps one at a time (waiting until every watcher has each one, then
 * `intervalMs`), and checks that each watcher saw exactly those ADDED events, in order.
 */
export async function runFanout(
  client: HttpClient,
  baseUrl: string,
  namespace: string,
  cfg: FanoutConfig,
  cpuPids: readonly (number | undefined)[],
  signal: AbortSignal,
  progress: (line: string) => void,
): Promise<FanoutResult> {
  const collection = `/api/v1/namespaces/${namespace}/configmaps`;
  const list = (await client.json('GET', `${collection}?limit=1`, 200)) as { metadata?: { resourceVersion?: string } };
  const rv = list.metadata?.resourceVersion;
  if (rv === undefined) throw new Error(`LIST ${collection} answered without metadata.resourceVersion`);
  const watchPath = `${collection}?watch=true&resourceVersion=${rv}`;

  const u = new URL(baseUrl);
  const host = u.hostname;
  const port = Number(u.port);
  // One socket per watch, none reused: a watch holds its connection for its whole life.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const conns: WatchConnection[] = [];
  let received = 0;
  let waiting: { target: number; resolve: () => void } | undefined;
  let broken: { reject: (err: Error) => void } | undefined;
  const onLine = (): void => {
    received++;
    if (waiting !== undefined && received >= waiting.target) {
      const w = waiting;
      waiting = undefined;
      w.resolve();
    }
  };
  const onEnd = (conn: WatchConnection): void => {
    broken?.reject(new Error(`watcher ${conns.indexOf(conn)} stopped early: ${conn.endedEarly ?? ''}`));
  };

  try {
    // The first watch starts the collection's watch cache (a full list of what the create
    // benchmark wrote), which may answer 429 until it is loaded; the rest then share it.
    progress(`  opening ${cfg.watchers} watches on ${collection} from resourceVersion ${rv}…`);
    const first = new WatchConnection(onLine, onEnd);
    for (let attempt = 1; ; attempt++) {
      try {
        await first.open(agent, host, port, watchPath);
        break;
      } catch (err: unknown) {
        const retryable = err instanceof WatchOpenError && (err.status === 429 || err.status === 504);
        if (!retryable || attempt >= 30) throw err;
        await sleep(1_000, signal);
      }
    }
    conns.push(first);
    const rest = Array.from({ length: cfg.watchers - 1 }, () => new WatchConnection(onLine, onEnd));
    const open = await closedLoop(rest.length, cfg.openConcurrency, signal, async (i) => {
      const conn = rest[i];
      if (conn === undefined) return;
      await conn.open(agent, host, port, watchPath);
      conns.push(conn);
    });

    progress(`  ${cfg.changes} creates, each awaited at all ${cfg.watchers} watchers, ${cfg.intervalMs} ms apart…`);
    const names: string[] = [];
    const revisions: string[] = [];
    const writeStart: number[] = [];
    const writeDone: number[] = [];
    const lastWatcher = new Float64Array(cfg.changes);
    const meter = new CpuMeter(cpuPids);
    const runId = Date.now().toString(36);
    for (let i = 0; i < cfg.changes; i++) {
      if (signal.aborted) throw new Interrupted();
      const name = `fanout-${runId}-${String(i).padStart(4, '0')}`;
      const target = cfg.watchers * (i + 1);
      const delivered = new Promise<void>((resolve, reject) => {
        // Exactly one of: every watcher has it, a stream ended, the timeout, Ctrl-C.
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          waiting = undefined;
          broken = undefined;
          if (error === undefined) resolve();
          else reject(error);
        };
        const timer = setTimeout(
          () => finish(new Error(`change ${i} reached ${received - cfg.watchers * i} of ${cfg.watchers} watchers within ${cfg.deliveryTimeoutMs} ms`)),
          cfg.deliveryTimeoutMs,
        );
        const onAbort = (): void => finish(new Interrupted());
        signal.addEventListener('abort', onAbort, { once: true });
        waiting = { target, resolve: () => finish() };
        broken = { reject: (err) => finish(err) };
        if (received >= target) finish();
      });
      // It may settle (timeout, Ctrl-C, a stream ending) while the create is still in flight; it
      // is awaited right after, so this only keeps that from counting as an unhandled rejection.
      delivered.catch(() => undefined);
      const t0 = performance.now();
      const created = (await client.json('POST', collection, 201, configMap(name, namespace))) as { metadata?: { resourceVersion?: string } };
      const t1 = performance.now();
      await delivered;
      let last = 0;
      for (const c of conns) last = Math.max(last, c.arrivals[i] ?? 0);
      lastWatcher[i] = last - t0;
      names.push(name);
      revisions.push(created.metadata?.resourceVersion ?? '');
      writeStart.push(t0);
      writeDone.push(t1);
      if (cfg.intervalMs > 0 && i + 1 < cfg.changes) await sleep(cfg.intervalMs, signal);
    }
    const cpu = meter.read();

    // Check every stream line by line, off the clock.
    const fromStart: number[] = [];
    const fromDone: number[] = [];
    const problems: string[] = [];
    let delivered = 0;
    conns.forEach((c, w) => {
      if (c.lines.length !== cfg.changes) problems.push(`watcher ${w}: ${c.lines.length} events, expected ${cfg.changes}`);
      for (let j = 0; j < c.lines.length; j++) {
        let ev: WatchLine;
        try {
          ev = JSON.parse(c.lines[j] ?? '') as WatchLine;
        } catch {
          problems.push(`watcher ${w}, event ${j}: not JSON: ${(c.lines[j] ?? '').slice(0, 120)}`);
          continue;
        }
        const meta = ev.object?.metadata;
        if (ev.type !== 'ADDED' || meta?.name !== names[j] || meta?.resourceVersion !== revisions[j]) {
          const what = ev.type === 'ERROR' ? `ERROR ${ev.object?.message ?? ''}` : `${String(ev.type)} ${String(meta?.name)}@${String(meta?.resourceVersion)}`;
          problems.push(`watcher ${w}, event ${j}: got ${what}, expected ADDED ${names[j] ?? '(none)'}@${revisions[j] ?? ''}`);
          continue;
        }
        const at = c.arrivals[j] ?? NaN;
        fromStart.push(at - (writeStart[j] ?? NaN));
        fromDone.push(at - (writeDone[j] ?? NaN));
        delivered++;
      }
    });
    const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();
    return {
      watchers: cfg.watchers,
      changes: cfg.changes,
      delivered,
      fromWriteStart: sorted(fromStart),
      fromWriteDone: sorted(fromDone),
      lastWatcher: lastWatcher.sort(),
      open,
      problems,
      cpu,
    };
  } finally {
    waiting = undefined;
    broken = undefined;
    for (const c of conns) c.close();
    agent.destroy();
  }
}
