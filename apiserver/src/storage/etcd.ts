// The etcd storage backend: the Storage interface over a real etcd v3 cluster through the etcd3 client.
import { BadRequestError, ExpiredError } from '@keelson/api';
import type { KubeObject, StoredObject } from '@keelson/api';
import {
  CompareResult,
  CompareTarget,
  Etcd3,
  RecoverableError,
  castGrpcError,
  isRecoverableError,
  type ICompare,
  type IDuplexStream,
  type IEvent,
  type IKeyValue,
  type IOptions,
  type IRangeRequest,
  type IRangeResponse,
  type IRequestOp,
  type ITxnResponse,
  type IWatchRequest,
  type IWatchResponse,
} from 'etcd3';
import {
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StorageError,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Storage,
  type StorageEvent,
  type StorageWatch,
  type StorageWatchEvent,
  type WatchOptions,
} from './types';

/** Tuning of the etcd backend; every field has a default. */
export interface EtcdStorageOptions {
  /** Largest gRPC message accepted (big lists, watch catch-up); default 512 MiB. */
  maxReceiveMessageBytes?: number;
  /** How long a broken watch keeps trying to resume before iteration throws; default 30 s. */
  watchRetryMs?: number;
  /**
   * Prepended to every key in etcd (like kube-apiserver's `--etcd-prefix`), so several stores
   * can share one etcd; default none. Keys seen through the Storage interface never carry it.
   */
  keyPrefix?: string;
  /**
   * How a watch answers `requestProgress()`. `auto` (default): with etcd progress requests when
   * every endpoint runs an etcd that orders their answers with the events (3.4.31+, 3.5.13+,
   * 3.6+; the versions Kubernetes requires), else only with etcd's periodic progress
   * notifications. `notify`: only with the periodic notifications, whatever the version.
   */
  watchProgress?: 'auto' | 'notify';
}

/**
 * How watches learn their progress (see `EtcdStorage.watchProgress`): `request` sends etcd a
 * progress request and trusts its answer; `notify` waits for etcd's periodic notification.
 */
export type EtcdWatchProgressMode = 'request' | 'notify';

/** EtcdStorageOptions with defaults applied and the watch progress mode decided. */
export interface EtcdStorageConfig {
  maxReceiveMessageBytes: number;
  watchRetryMs: number;
  keyPrefix: string;
  watchProgress: EtcdWatchProgressMode;
}

const DEFAULT_MAX_RECEIVE_BYTES = 512 * 1024 * 1024;

function completeOptions(o: EtcdStorageOptions, watchProgress: EtcdWatchProgressMode): EtcdStorageConfig {
  return {
    maxReceiveMessageBytes: o.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
    watchRetryMs: o.watchRetryMs ?? 30_000,
    keyPrefix: o.keyPrefix ?? '',
    watchProgress,
  };
}

/**
 * Whether etcd `version` answers a watch progress request in order with the watch's events.
 * Before 3.4.25 / 3.5.8 the answer bypasses the events still queued for the stream and is sent
 * even while the watch is catching up, so it can claim a revision whose events arrive after it
 * (etcd-io/etcd#15220); before 3.4.31 / 3.5.13 a watch that caught up without an event never
 * gets one (etcd-io/etcd#17507). Kubernetes uses progress requests only from 3.4.31 / 3.5.13.
 */
export function etcdOrdersProgressRequests(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (m === null) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 3) return major > 3;
  if (minor === 4) return patch >= 31;
  if (minor === 5) return patch >= 13;
  return minor > 5;
}

/**
 * Connects to etcd at `endpoints` (e.g. `http://127.0.0.1:2379`), checks that it answers, and
 * from its members' versions decides how watches learn their progress (`watchProgress`).
 */
export async function openEtcdStorage(
  endpoints: string[],
  options: EtcdStorageOptions = {},
): Promise<EtcdStorage> {
  if (endpoints.length === 0) throw new Error('openEtcdStorage: no etcd endpoints given');
  const clientOptions: IOptions = {
    hosts: endpoints,
    grpcOptions: {
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
      // Notice a dead connection under an idle watch instead of waiting on it forever.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
    },
  };
  const client = new Etcd3(clientOptions);
  let watchProgress: EtcdWatchProgressMode;
  try {
    // Any linearizable range proves the cluster answers; the status of each member tells its version.
    await client.kv.range({ key: Buffer.from('/'), count_only: true, serializable: false });
    watchProgress = options.watchProgress === 'notify' ? 'notify' : await progressModeOf(client, clientOptions, endpoints);
  } catch (err: unknown) {
    client.close();
    throw new StorageError('', `cannot reach etcd at ${endpoints.join(', ')}`, { cause: err });
  }
  return new EtcdStorage(client, completeOptions(options, watchProgress));
}

/**
 * `request` when every endpoint runs an etcd that orders progress answers, else `notify`. An
 * etcd3 client spreads calls over its hosts, so with several endpoints each is asked alone.
 */
async function progressModeOf(client: Etcd3, clientOptions: IOptions, endpoints: string[]): Promise<EtcdWatchProgressMode> {
  const versions: string[] = [];
  if (endpoints.length === 1) {
    versions.push((await client.maintenance.status()).version);
  } else {
    for (const endpoint of endpoints) {
      const one = new Etcd3({ ...clientOptions, hosts: endpoint });
      try {
        versions.push((await one.maintenance.status()).version);
      } catch {
        // A member we cannot ask may run anything; assume the worst of it until a restart.
        versions.push('unknown');
      } finally {
        one.close();
      }
    }
  }
  return versions.every(etcdOrdersProgressRequests) ? 'request' : 'notify';
}

/** Payload of a continue token: the list's revision and the last key already returned. */
interface ContinueToken {
  rev: number;
  startAfterKey: string;
}

const COMPACTED = 'required revision has been compacted';
const FUTURE = 'required revision is a future revision';

/**
 * Storage over etcd. Values are the objects' JSON without `metadata.resourceVersion`; an object's
 * resourceVersion is its key's mod revision. Every read is linearizable.
 */
export class EtcdStorage implements Storage {
  readonly backend = 'etcd' as const;
  private readonly watches = new Set<EtcdWatch>();
  private closed = false;

  /** Use `openEtcdStorage`. */
  constructor(
    private readonly client: Etcd3,
    private readonly config: EtcdStorageConfig,
  ) {}

  /**
   * How watches answer `requestProgress()`: `request` (a progress request on the watch stream,
   * answered within a round trip once the watch has caught up) or `notify` (etcd's periodic
   * progress notification, every `--experimental-watch-progress-notify-interval`, 10 minutes
   * unless the etcd operator lowers it).
   */
  get watchProgress(): EtcdWatchProgressMode {
    return this.config.watchProgress;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const res = await this.range({ key: this.k(key) });
    const kv = res.kvs[0];
    return kv === undefined ? undefined : decodeValue(key, kv.value, Number(kv.mod_revision));
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    let revision = opts.revision ?? 0;
    let start = this.k(prefix);
    if (opts.continue !== undefined) {
      const token = parseContinue(prefix, opts.continue);
      revision = token.rev;
      start = Buffer.concat([this.k(token.startAfterKey), Buffer.from([0])]);
    }
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new StorageError(prefix, `invalid revision ${revision}`);
    }
    const limit = opts.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new StorageError(prefix, `invalid limit ${limit}`);
    }
    const req: IRangeRequest = {
      key: start,
      range_end: prefixEnd(this.k(prefix)),
      revision,
      limit,
      serializable: false,
    };
    const res = await this.range(req);
    // Every page of one list is read at the revision of its first page.
    const listRevision = revision > 0 ? revision : Number(res.header.revision);
    const items = res.kvs.map((kv) => this.decode(kv, Number(kv.mod_revision)));
    const result: ListResult = { items, revision: listRevision };
    const last = res.kvs[res.kvs.length - 1];
    if (res.more && last !== undefined) {
      result.continue = encodeContinue({ rev: listRevision, startAfterKey: this.unk(last.key) });
      // `count` is the number of keys from this page's start to the end of the range.
      result.remainingItemCount = Number(res.count) - res.kvs.length;
    }
    return result;
  }

  async create(key: string, obj: KubeObject): Promise<StoredObject> {
    const value = encode(obj);
    const k = this.k(key);
    const res = await this.txn(
      key,
      [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
      [{ request_put: { key: k, value } }],
      [],
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    return stored(obj, Number(res.header.revision));
  }

  async update(key: string, obj: KubeObject, opts: Preconditions = {}): Promise<StoredObject> {
    const value = encode(obj);
    const k = this.k(key);
    const res = await this.txn(
      key,
      this.preconditions(k, opts),
      [{ request_put: { key: k, value } }],
      [{ request_range: { key: k, keys_only: true } }],
    );
    if (!res.succeeded) throw this.preconditionFailure(key, opts, res);
    return stored(obj, Number(res.header.revision));
  }

  async delete(key: string, opts: Preconditions = {}): Promise<StoredObject> {
    const k = this.k(key);
    const res = await this.txn(
      key,
      this.preconditions(k, opts),
      [{ request_delete_range: { key: k, prev_kv: true } }],
      [{ request_range: { key: k, keys_only: true } }],
    );
    if (!res.succeeded) throw this.preconditionFailure(key, opts, res);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    // The key existed when the txn compared it, and nothing can change in between.
    if (prev === undefined || prev === null) throw new KeyNotFoundError(key);
    return decodeValue(key, prev.value, Number(res.header.revision));
  }

  watch(prefix: string, opts: WatchOptions): StorageWatch {
    if (this.closed) throw new StorageError(prefix, 'etcd storage is closed');
    if (!Number.isSafeInteger(opts.fromRevision) || opts.fromRevision < 0) {
      throw new StorageError(prefix, `invalid watch revision ${opts.fromRevision}`);
    }
    const w = new EtcdWatch(this.client, prefix, this.config, opts, () => this.watches.delete(w));
    this.watches.add(w);
    w.start();
    return w;
  }

  async currentRevision(): Promise<number> {
    // Any linearizable range answers with the store's revision in its header.
    const res = await this.client.kv.range({ key: this.k('/'), count_only: true, serializable: false });
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    try {
      // physical: answer once the old revisions are really gone from the backend, not just scheduled.
      await this.client.kv.compact({ revision, physical: true });
    } catch (err: unknown) {
      const message = errorMessage(err);
      // Compacting to a revision at or below the current compaction is a no-op by design.
      if (message.includes(COMPACTED)) return;
      if (message.includes(FUTURE)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw err;
    }
  }

  /** Ends every watch (their iteration finishes) and closes the client's connections. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const w of [...this.watches]) w.stop();
      this.client.close();
    }
    return Promise.resolve();
  }

  /** The etcd key of a storage key. */
  private k(key: string): Buffer {
    return Buffer.from(this.config.keyPrefix + key);
  }

  /** The storage key of an etcd key. */
  private unk(k: Buffer): string {
    return k.toString('utf8').slice(this.config.keyPrefix.length);
  }

  private decode(kv: IKeyValue, revision: number): StoredObject {
    return decodeValue(this.unk(kv.key), kv.value, revision);
  }

  /** Range with compaction and future revisions turned into storage errors. */
  private async range(req: IRangeRequest): Promise<IRangeResponse> {
    try {
      return await this.client.kv.range(req);
    } catch (err: unknown) {
      const requested = Number(req.revision ?? 0);
      const message = errorMessage(err);
      if (message.includes(COMPACTED)) {
        throw new ExpiredError(requested, await compactRevision(this.client, requested));
      }
      if (message.includes(FUTURE)) throw new FutureRevisionError(requested, await this.currentRevision());
      throw err;
    }
  }

  private async txn(
    key: string,
    compare: ICompare[],
    success: IRequestOp[],
    failure: IRequestOp[],
  ): Promise<ITxnResponse> {
    if (this.closed) throw new StorageError(key, 'etcd storage is closed');
    return this.client.kv.txn({ compare, success, failure });
  }

  /** The key exists (version > 0) and, when asked, was last modified at the expected revision. */
  private preconditions(k: Buffer, opts: Preconditions): ICompare[] {
    const cmp: ICompare[] = [{ key: k, target: CompareTarget.Version, result: CompareResult.Greater, version: 0 }];
    if (opts.expectedRevision !== undefined) {
      cmp.push({ key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: opts.expectedRevision });
    }
    return cmp;
  }

  /** Why a txn guarded by `preconditions` failed, from its `failure` range of the key. */
  private preconditionFailure(key: string, opts: Preconditions, res: ITxnResponse): StorageError {
    const current = res.responses[0]?.response_range?.kvs[0];
    if (current === undefined || current === null) return new KeyNotFoundError(key);
    return new RevisionConflictError(key, opts.expectedRevision ?? 0, Number(current.mod_revision));
  }
}

/**
 * One watch over one gRPC watch stream. The etcd3 `Watcher` is not used: on reconnect it resumes
 * from the revision in the last response header, which can be past events not yet delivered
 * (the header of a catch-up batch carries the store's current revision), hiding a gap. This
 * resumes from the revision after the last event it delivered instead, and turns a compacted
 * start into ExpiredError.
 *
 * Progress. A response with no events (neither created nor canceled) is a progress notification:
 * etcd has sent this watch every event up to its header revision. Two kinds arrive:
 * - periodic ones (`progress_notify`), carrying this watch's id. etcd sends them only to a watch
 *   that has caught up, through the same queue as its events, so every version orders them;
 * - answers to a progress request, carrying watch id -1 and meant for every watch on the
 *   stream. Only an etcd whose `watchProgress` is `request` orders them, so only then are they
 *   sent and trusted; older ones would let events arrive after the revision they claim.
 * A stream carries this one watch, so either kind speaks for it alone. Each moves the resume
 * point (`nextRevision`) forward. Answers are yielded as PROGRESS; periodic notifications only
 * while a `requestProgress()` is unanswered (a consumer that never asks never sees one).
 */
class EtcdWatch implements StorageWatch {
  private readonly events: StorageWatchEvent[] = [];
  private head = 0;
  private failure: Error | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  /** The first revision not yet delivered: where a resumed stream must start. */
  private nextRevision: number;
  private paused = false;
  /** The id etcd gave this watch on the current stream, once it has confirmed the create. */
  private watchId: string | undefined;
  /** `requestProgress()` was called and no PROGRESS has been yielded since. */
  private progressWanted = false;
  private readonly onAbort = (): void => this.stop();

  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    private readonly config: EtcdStorageConfig,
    private readonly opts: WatchOptions,
    private readonly onStop: () => void,
  ) {
    this.nextRevision = opts.fromRevision + 1;
  }

  start(): void {
    const { signal } = this.opts;
    if (signal?.aborted) {
      this.stop();
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.run().catch((err: unknown) => this.fail(err));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.events.length = 0;
    this.head = 0;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    if (this.stream !== undefined) closeStream(this.stream);
    this.stream = undefined;
    this.onStop();
    this.notify();
  }

  requestProgress(): void {
    if (this.stopped || this.failure !== undefined) return;
    this.progressWanted = true;
    // Before etcd confirms the create, the request waits for it (see handle()); a stream
    // being replaced sends it on its successor the same way.
    if (this.watchId !== undefined) this.sendProgressRequest();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StorageWatchEvent> {
    try {
      for (;;) {
        if (this.head < this.events.length) {
          const ev = this.events[this.head++];
          if (this.head === this.events.length) {
            this.events.length = 0;
            this.head = 0;
          }
          if (this.paused && this.events.length - this.head < LOW_WATER) this.resume();
          if (ev !== undefined) yield ev;
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.stopped) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.stop();
    }
  }

  /** Opens streams until stopped, resuming after transient failures from `nextRevision`. */
  private async run(): Promise<void> {
    let retryUntil = 0;
    let backoff = 50;
    while (!this.stopped) {
      const before = this.nextRevision;
      let outcome: StreamOutcome;
      try {
        outcome = await this.runStream();
      } catch (err: unknown) {
        outcome = { kind: 'broken', error: err };
      }
      if (this.stopped) return;
      if (outcome.kind === 'fatal') throw outcome.error;
      // Errors straight off a gRPC stream are untyped; etcd3 classifies them.
      const error = outcome.error instanceof Error ? castGrpcError(outcome.error) : outcome.error;
      if (!isTransient(error)) throw error;
      // Progress since the last failure resets the retry budget.
      if (this.nextRevision !== before || retryUntil === 0) {
        retryUntil = Date.now() + this.config.watchRetryMs;
        backoff = 50;
      }
      if (Date.now() >= retryUntil) {
        throw new StorageError(this.prefix, `watch of ${this.prefix} could not resume for ${this.config.watchRetryMs} ms`, {
          cause: error,
        });
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
  }

  /** One gRPC stream: resolves with why it ended (stop() makes the caller return). */
  private async runStream(): Promise<StreamOutcome> {
    const stream = await this.client.watchClient.watch();
    if (this.stopped) {
      closeStream(stream);
      return { kind: 'broken', error: new StorageError(this.prefix, 'stopped') };
    }
    this.stream = stream;
    this.paused = false;
    this.watchId = undefined;
    return new Promise<StreamOutcome>((resolve) => {
      let settled = false;
      const finish = (o: StreamOutcome): void => {
        if (settled) return;
        settled = true;
        if (this.stream === stream) {
          this.stream = undefined;
          this.watchId = undefined;
        }
        closeStream(stream);
        resolve(o);
      };
      stream.on('data', (res: IWatchResponse) => {
        if (settled || this.stopped) return;
        try {
          const o = this.handle(res);
          if (o !== undefined) finish(o);
        } catch (err: unknown) {
          finish({ kind: 'fatal', error: err });
        }
      });
      stream.on('error', (err: Error) => finish({ kind: 'broken', error: err }));
      stream.on('end', () =>
        finish({ kind: 'broken', error: new WatchStreamEndedError(this.prefix) }),
      );
      stream.write({
        create_request: {
          key: Buffer.from(this.config.keyPrefix + this.prefix),
          range_end: prefixEnd(Buffer.from(this.config.keyPrefix + this.prefix)),
          start_revision: this.nextRevision,
          prev_kv: true,
          progress_notify: true,
        },
      });
    });
  }

  /** Applies one response; returns an outcome when the stream is over. */
  private handle(res: IWatchResponse): StreamOutcome | undefined {
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      if (compacted > 0) {
        return { kind: 'fatal', error: new ExpiredError(this.nextRevision - 1, compacted) };
      }
      return {
        kind: 'fatal',
        error: new StorageError(this.prefix, `etcd canceled the watch of ${this.prefix}: ${res.cancel_reason || 'no reason given'}`),
      };
    }
    if (res.created) {
      this.watchId = String(res.watch_id);
      if (this.progressWanted) this.sendProgressRequest();
      return undefined;
    }
    if (res.events.length === 0) {
      this.onProgress(res);
      return undefined;
    }
    // etcd never splits one revision across responses (no `fragment`), so after a response
    // every revision up to its last event is complete.
    let last = this.nextRevision - 1;
    for (const ev of res.events) {
      const converted = this.convert(ev);
      last = converted.revision;
      this.events.push(converted);
    }
    this.nextRevision = last + 1;
    if (!this.paused && this.events.length - this.head > HIGH_WATER) this.pause();
    this.notify();
    return undefined;
  }

  /** A response without events: progress, if it is of a kind this etcd orders (see the class comment). */
  private onProgress(res: IWatchResponse): void {
    const id = String(res.watch_id);
    const periodic = this.watchId !== undefined && id === this.watchId;
    const answer = id === PROGRESS_ANSWER_ID && this.config.watchProgress === 'request';
    if (!periodic && !answer) return;
    // Never backwards: an answer can only repeat what the events already proved.
    const revision = Math.max(Number(res.header.revision), this.nextRevision - 1);
    this.nextRevision = revision + 1;
    // An answer is always for a request of ours; a periodic notification only when one waits.
    if (!answer && !this.progressWanted) return;
    this.progressWanted = false;
    const event: StorageWatchEvent = { type: 'PROGRESS', revision };
    // An unread PROGRESS is superseded rather than followed by another.
    const last = this.events.length - 1;
    if (last >= this.head && this.events[last]?.type === 'PROGRESS') this.events[last] = event;
    else this.events.push(event);
    this.notify();
  }

  private sendProgressRequest(): void {
    if (this.config.watchProgress !== 'request') return; // the periodic notification will answer
    this.stream?.write({ progress_request: {} });
  }

  private convert(ev: IEvent): StorageEvent {
    const key = ev.kv.key.toString('utf8').slice(this.config.keyPrefix.length);
    const revision = Number(ev.kv.mod_revision);
    const prev = ev.prev_kv ?? undefined;
    // etcd omits prev_kv when the revision before the event has been compacted; the event
    // cannot be reported truthfully then, so the watcher must relist.
    const hasPrev = prev !== undefined && prev.key.length > 0;
    if (String(ev.type).toUpperCase() === 'DELETE') {
      if (!hasPrev) throw new ExpiredError(revision - 1, revision);
      const object = decodeValue(key, prev.value, revision);
      const deleted: StorageEvent = { type: 'DELETED', key, object, revision };
      const prevRevision = String(prev.mod_revision);
      lazyPrevObject(deleted, () => ({ ...object, metadata: { ...object.metadata, resourceVersion: prevRevision } }));
      return deleted;
    }
    const added = ev.kv.create_revision === ev.kv.mod_revision;
    if (!added && !hasPrev) throw new ExpiredError(revision - 1, revision);
    const event: StorageEvent = {
      type: added ? 'ADDED' : 'MODIFIED',
      key,
      object: decodeValue(key, ev.kv.value, revision),
      revision,
    };
    // A put that recreates a key has no previous state; a modification always has one.
    if (!added && hasPrev) lazyPrevObject(event, () => decodeValue(key, prev.value, Number(prev.mod_revision)));
    return event;
  }

  private fail(err: unknown): void {
    if (this.stopped) return;
    this.failure = err instanceof Error ? err : new StorageError(this.prefix, String(err), { cause: err });
    if (this.stream !== undefined) closeStream(this.stream);
    this.stream = undefined;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  // A slow consumer pauses the gRPC stream; etcd then holds the events, so none are lost.
  private pause(): void {
    const s = this.stream;
    if (s !== undefined && isPausable(s)) {
      s.pause();
      this.paused = true;
    }
  }

  private resume(): void {
    const s = this.stream;
    this.paused = false;
    if (s !== undefined && isPausable(s)) s.resume();
  }
}

const HIGH_WATER = 10_000;
const LOW_WATER = 1_000;
/** The watch id etcd puts on its answer to a progress request (clientv3.InvalidWatchID). */
const PROGRESS_ANSWER_ID = '-1';

type StreamOutcome = { kind: 'broken'; error: unknown } | { kind: 'fatal'; error: unknown };

/** The watch stream ended without an error; like a network failure, it is resumed. */
class WatchStreamEndedError extends StorageError {
  // Marked transient the way etcd3 marks its recoverable gRPC errors.
  readonly [RecoverableError] = true;
  constructor(prefix: string) {
    super(prefix, `etcd ended the watch stream of ${prefix}`);
  }
}

interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

function isPausable(s: object): s is Pausable {
  return typeof (s as Partial<Pausable>).pause === 'function' && typeof (s as Partial<Pausable>).resume === 'function';
}

/**
 * The revision etcd has compacted to. etcd's range error does not carry it, but a watch from
 * revision 1 is canceled with it (only called once a read of `requested` was refused).
 */
async function compactRevision(client: Etcd3, requested: number): Promise<number> {
  const stream = await client.watchClient.watch();
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new StorageError('', `revision ${requested} is compacted, but etcd did not report its compaction revision`)),
        5_000,
      );
      const done = (f: () => void): void => {
        clearTimeout(timer);
        f();
      };
      stream.on('data', (res: IWatchResponse) => {
        if (res.canceled) done(() => resolve(Number(res.compact_revision)));
      });
      stream.on('error', (err: Error) => done(() => reject(err)));
      stream.on('end', () => done(() => reject(new StorageError('', 'etcd ended the watch stream'))));
      stream.write({ create_request: { key: Buffer.from([0]), start_revision: 1 } });
    });
  } finally {
    closeStream(stream);
  }
}

/**
 * Ends a gRPC stream we no longer want. Half-closing first matters: etcd3 reports an error on a
 * still-writable stream to its connection pool, and the CANCELLED error that cancel() causes
 * would make the pool reset every connection to that host.
 */
function closeStream(stream: IDuplexStream<IWatchRequest, IWatchResponse>): void {
  stream.end();
  stream.cancel();
}

/**
 * Whether a watch may resume after `err`: transient gRPC failures, a stream etcd ended, and
 * etcd3's circuit breaker refusing a host for a few seconds after repeated failures.
 */
function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return isRecoverableError(err) || 'isBrokenCircuitError' in err;
}

function encode(obj: KubeObject): Buffer {
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  return Buffer.from(JSON.stringify({ ...obj, metadata }));
}

/**
 * What a successful write stored: `obj` at `revision`. The value etcd holds is `encode(obj)`, so
 * the object is not decoded back from it; it shares structure with `obj`, which the caller hands over.
 */
function stored(obj: KubeObject, revision: number): StoredObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/**
 * Sets `event.prevObject` to be decoded on first read: the watch cache keeps its own previous
 * state and never reads it, so most events never pay for the second JSON decode.
 */
function lazyPrevObject(event: StorageEvent, decode: () => StoredObject): void {
  let prev: StoredObject | undefined;
  Object.defineProperty(event, 'prevObject', {
    enumerable: true,
    configurable: true,
    get: () => (prev ??= decode()),
  });
}

function decodeValue(key: string, value: Buffer, revision: number): StoredObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (err: unknown) {
    throw new StorageError(key, `value at ${key} is not JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StorageError(key, `value at ${key} is not an object`);
  }
  const obj = parsed as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** The range end that covers every key starting with `prefix` (etcd's "prefix" range). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    const b = end[i];
    if (b !== undefined && b < 0xff) {
      end[i] = b + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every byte is 0xff (or no prefix): to the end of the keyspace
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

/** Reads a continue token; a malformed one, or one of another list, is the client's error (400). */
function parseContinue(prefix: string, token: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err: unknown) {
    throw new BadRequestError('continue key is not valid: not an encoded token', { cause: err });
  }
  const t = parsed as Partial<ContinueToken> | null;
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.rev !== 'number' ||
    !Number.isSafeInteger(t.rev) ||
    t.rev <= 0 ||
    typeof t.startAfterKey !== 'string'
  ) {
    throw new BadRequestError('continue key is not valid: malformed token');
  }
  if (!t.startAfterKey.startsWith(prefix)) {
    throw new BadRequestError('continue key is not valid: it belongs to a different list');
  }
  return { rev: t.rev, startAfterKey: t.startAfterKey };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
