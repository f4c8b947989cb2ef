// The embedded storage backend: a kine-style revision log in SQLite (a file, or `:memory:` for unit tests).
import Database from 'better-sqlite3';
import { BadRequestError, ExpiredError } from '@keelson/api';
import type { KubeObject, StoredObject } from '@keelson/api';
import {
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StorageError,
} from './types';
import type {
  ListOptions,
  ListResult,
  Preconditions,
  Storage,
  StorageEvent,
  StorageWatch,
  StorageWatchEvent,
  WatchOptions,
} from './types';

/*
 * Layout. `kv` is an append-only log: every create, update and delete appends one row whose
 * id (AUTOINCREMENT, so never reused even after compaction) is the revision. The state of a
 * key at revision R is its newest row with id <= R, absent when that row is a deletion.
 * Deletion rows carry the deleted object's last value so DELETED events survive compaction.
 * `sqlite_sequence` holds the revision counter; `meta` holds the compacted revision.
 *
 *   write ──IMMEDIATE tx──► kv ◄── poll (other processes' writes)
 *     └── tail() ─── rows id > min(watcher.lastSeen) ──► each watcher's queue ──► for await
 *   requestProgress() ──► tail() ──► PROGRESS at that watcher's lastSeen ──┘
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_key_id ON kv (key, id);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

const COLUMNS = 'id, key, created, deleted, create_revision, prev_revision, value';
const COMPACT_REV = 'compact_rev';

export interface SqliteStorageOptions {
  /**
   * How often an open watch re-reads the log to see writes made by another process on the
   * same file (writes through this instance reach watchers at once). Default 500 ms.
   */
  pollIntervalMs?: number;
  /** How long a write waits for another connection's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

interface SqliteStorageConfig {
  pollIntervalMs: number;
  busyTimeoutMs: number;
}

function completeConfig(options: SqliteStorageOptions): SqliteStorageConfig {
  return {
    pollIntervalMs: options.pollIntervalMs ?? 500,
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
  };
}

/** Opens (creating if needed) the SQLite store at `path`. */
export function openSqliteStorage(path: string, options: SqliteStorageOptions = {}): SqliteStorage {
  const config = completeConfig(options);
  const db = new Database(path, { timeout: config.busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return new SqliteStorage(db, 'sqlite', config);
  } catch (error: unknown) {
    db.close();
    throw error;
  }
}

/** A fresh store on an in-memory database: the `memory` backend for unit tests. */
export function openMemoryStorage(): SqliteStorage {
  const db = new Database(':memory:');
  return new SqliteStorage(db, 'memory', completeConfig({}));
}

/** One row of the `kv` log. */
interface LogRow {
  id: number;
  key: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A log row joined with the row it replaced, for watch events. */
interface EventRow extends LogRow {
  prev_value: string | null;
  prev_deleted: number | null;
}

interface ContinueToken {
  rev: number;
  startAfterKey: string;
}

export class SqliteStorage implements Storage {
  readonly backend: 'sqlite' | 'memory';
  private readonly db: Database.Database;
  private readonly config: SqliteStorageConfig;
  private readonly watchers = new Set<LogWatch>();
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Use `openSqliteStorage` or `openMemoryStorage`. */
  constructor(db: Database.Database, backend: 'sqlite' | 'memory', config: SqliteStorageConfig) {
    this.db = db;
    this.backend = backend;
    this.config = config;
    this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const row = this.latest(key);
    return row === undefined || row.deleted ? undefined : decode(row.value, row.id);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const token = opts.continue ? decodeContinue(prefix, opts.continue) : undefined;
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined;
    return this.read(() => {
      const current = this.revisionNow();
      const revision = token?.rev ?? (opts.revision ? opts.revision : current);
      if (revision > current) throw new FutureRevisionError(revision, current);
      const compacted = this.compactedRevision();
      if (revision < compacted) throw new ExpiredError(revision, compacted);

      const range = keyRange('key', prefix, token?.startAfterKey);
      const rows = this.statement<unknown[], LogRow>(
        `SELECT ${COLUMNS} FROM kv JOIN (
           SELECT MAX(id) AS latest FROM kv WHERE ${range.clause} AND id <= ? GROUP BY key
         ) ON id = latest
         WHERE deleted = 0 ORDER BY key LIMIT ?`,
      ).all(...range.params, revision, limit === undefined ? -1 : limit + 1);

      const page = limit === undefined ? rows : rows.slice(0, limit);
      const result: ListResult = { items: page.map((r) => decode(r.value, r.id)), revision };
      const last = page[page.length - 1];
      if (rows.length > page.length && last !== undefined) {
        result.continue = encodeContinue({ rev: revision, startAfterKey: last.key });
        result.remainingItemCount = this.countLive(prefix, last.key, revision);
      }
      return result;
    });
  }

  async create(key: string, obj: KubeObject): Promise<StoredObject> {
    return this.write(() => {
      const latest = this.latest(key);
      if (latest !== undefined && !latest.deleted) throw new KeyExistsError(key);
      const value = encode(obj);
      const id = this.append(key, { created: 1, deleted: 0, createRevision: 0, prevRevision: latest?.id ?? 0, value });
      this.statement<[number], unknown>('UPDATE kv SET create_revision = id WHERE id = ?').run(id);
      return decode(value, id);
    });
  }

  async update(key: string, obj: KubeObject, opts: Preconditions = {}): Promise<StoredObject> {
    return this.write(() => {
      const latest = this.latestLive(key, opts);
      const value = encode(obj);
      const id = this.append(key, {
        created: 0,
        deleted: 0,
        createRevision: latest.create_revision,
        prevRevision: latest.id,
        value,
      });
      return decode(value, id);
    });
  }

  async delete(key: string, opts: Preconditions = {}): Promise<StoredObject> {
    return this.write(() => {
      const latest = this.latestLive(key, opts);
      const id = this.append(key, {
        created: 0,
        deleted: 1,
        createRevision: latest.create_revision,
        prevRevision: latest.id,
        value: latest.value,
      });
      return decode(latest.value, id);
    });
  }

  watch(prefix: string, opts: WatchOptions): StorageWatch {
    const watch = new LogWatch(prefix, opts.fromRevision, (w) => this.detach(w), (w) => this.answerProgress(w), opts.signal);
    if (watch.isStopped()) return watch;
    if (this.closed) {
      watch.fail(new StorageError(prefix, 'storage is closed'));
      return watch;
    }
    // Subscribe first, then catch up from the log; deliver() drops any revision already seen,
    // so the catch-up read and the live stream can neither leave a gap nor repeat an event.
    this.watchers.add(watch);
    this.startPolling();
    try {
      this.read(() => {
        const compacted = this.compactedRevision();
        if (opts.fromRevision + 1 < compacted) {
          watch.fail(new ExpiredError(opts.fromRevision, compacted));
          return;
        }
        const range = keyRange('kv.key', prefix, undefined);
        const rows = this.statement<unknown[], EventRow>(
          `${EVENT_SELECT} WHERE kv.id > ? AND ${range.clause} ORDER BY kv.id`,
        ).all(opts.fromRevision, ...range.params);
        for (const row of rows) if (row.key.startsWith(prefix)) watch.deliver(toEvent(row));
        watch.seen(this.revisionNow());
      });
    } catch (error: unknown) {
      watch.fail(error);
    }
    return watch;
  }

  async currentRevision(): Promise<number> {
    return this.revisionNow();
  }

  async compact(revision: number): Promise<void> {
    this.db
      .transaction(() => {
        const current = this.revisionNow();
        if (revision > current) throw new FutureRevisionError(revision, current);
        if (revision <= this.compactedRevision()) return;
        // Hand every committed change to the watchers before its row can disappear.
        this.tail();
        // Below `revision`, keep only each key's newest row, and not even that if it is a deletion.
        this.statement<[number, number], unknown>(
          `DELETE FROM kv WHERE id < ? AND (
             deleted = 1 OR id < (SELECT MAX(k.id) FROM kv AS k WHERE k.key = kv.key AND k.id < ?)
           )`,
        ).run(revision, revision);
        this.statement<[string, number], unknown>(
          'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
        ).run(COMPACT_REV, revision);
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watch of [...this.watchers]) watch.stop();
    this.stopPolling();
    this.db.close();
  }

  // ---- reads and writes

  private read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  /** Runs `fn` holding the write lock (so a CAS cannot race another process), then feeds watchers. */
  private write<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    this.tail();
    return result;
  }

  private revisionNow(): number {
    const row = this.statement<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'kv'").get();
    return row?.seq ?? 0;
  }

  private compactedRevision(): number {
    const row = this.statement<[string], { value: number }>('SELECT value FROM meta WHERE name = ?').get(COMPACT_REV);
    return row?.value ?? 0;
  }

  private latest(key: string): LogRow | undefined {
    return this.statement<[string], LogRow>(`SELECT ${COLUMNS} FROM kv WHERE key = ? ORDER BY id DESC LIMIT 1`).get(key);
  }

  /** The live row at `key`, checked against the preconditions. */
  private latestLive(key: string, opts: Preconditions): LogRow {
    const latest = this.latest(key);
    if (latest === undefined || latest.deleted) throw new KeyNotFoundError(key);
    if (opts.expectedRevision !== undefined && opts.expectedRevision !== latest.id) {
      throw new RevisionConflictError(key, opts.expectedRevision, latest.id);
    }
    return latest;
  }

  private append(
    key: string,
    row: { created: 0 | 1; deleted: 0 | 1; createRevision: number; prevRevision: number; value: string },
  ): number {
    const result = this.statement<[string, number, number, number, number, string], unknown>(
      'INSERT INTO kv (key, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(key, row.created, row.deleted, row.createRevision, row.prevRevision, row.value);
    return Number(result.lastInsertRowid);
  }

  private countLive(prefix: string, startAfterKey: string, revision: number): number {
    const range = keyRange('key', prefix, startAfterKey);
    const row = this.statement<unknown[], { n: number }>(
      `SELECT COUNT(*) AS n FROM kv JOIN (
         SELECT MAX(id) AS latest FROM kv WHERE ${range.clause} AND id <= ? GROUP BY key
       ) ON id = latest
       WHERE deleted = 0`,
    ).get(...range.params, revision);
    return row?.n ?? 0;
  }

  private statement<P extends unknown[], R>(sql: string): Database.Statement<P, R> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], unknown>(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  // ---- watch fan-out

  /**
   * Reads the log past the oldest point any watcher has seen and hands each watcher the rows
   * under its prefix it has not seen yet. Runs after every write through this instance and on
   * the poll timer. A watcher that fell behind a compaction (made by another process) fails
   * with ExpiredError, as changes it never saw may be gone.
   */
  private tail(): void {
    if (this.closed || this.watchers.size === 0) return;
    let from = Number.POSITIVE_INFINITY;
    for (const watch of this.watchers) from = Math.min(from, watch.lastSeen);
    let snapshot: { rows: EventRow[]; current: number; compacted: number };
    try {
      snapshot = this.read(() => ({
        rows: this.statement<[number], EventRow>(`${EVENT_SELECT} WHERE kv.id > ? ORDER BY kv.id`).all(from),
        current: this.revisionNow(),
        compacted: this.compactedRevision(),
      }));
    } catch (error: unknown) {
      for (const watch of [...this.watchers]) watch.fail(error);
      return;
    }
    for (const watch of [...this.watchers]) {
      if (watch.lastSeen + 1 < snapshot.compacted) {
        watch.fail(new ExpiredError(watch.lastSeen, snapshot.compacted));
        continue;
      }
      for (const row of snapshot.rows) {
        if (row.id > watch.lastSeen && row.key.startsWith(watch.prefix)) watch.deliver(toEvent(row));
      }
      watch.seen(snapshot.current);
    }
  }

  /**
   * Catches every watcher up from the log (so writes by other processes on the file are in,
   * not only this instance's), then tells `watch` it has everything up to the revision read.
   */
  private answerProgress(watch: LogWatch): void {
    if (this.closed || !this.watchers.has(watch)) return;
    this.tail();
    watch.progress();
  }

  private detach(watch: LogWatch): void {
    this.watchers.delete(watch);
    if (this.watchers.size === 0) this.stopPolling();
  }

  private startPolling(): void {
    // Only a file can be written by someone else; an in-memory store has no one to poll for.
    if (this.pollTimer !== undefined || this.backend === 'memory') return;
    this.pollTimer = setInterval(() => this.tail(), this.config.pollIntervalMs);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer === undefined) return;
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}

const EVENT_SELECT = `SELECT kv.id, kv.key, kv.created, kv.deleted, kv.create_revision, kv.prev_revision,
  kv.value, prev.value AS prev_value, prev.deleted AS prev_deleted
  FROM kv LEFT JOIN kv AS prev ON prev.id = kv.prev_revision`;

function toEvent(row: EventRow): StorageEvent {
  const object = decode(row.value, row.id);
  if (row.created) return { type: 'ADDED', key: row.key, object, revision: row.id };
  if (row.deleted) {
    // A deletion row holds the last state, which is also the state before the deletion.
    const prevObject = decode(row.value, row.prev_revision);
    return { type: 'DELETED', key: row.key, object, prevObject, revision: row.id };
  }
  const event: StorageEvent = { type: 'MODIFIED', key: row.key, object, revision: row.id };
  if (row.prev_value !== null && !row.prev_deleted) event.prevObject = decode(row.prev_value, row.prev_revision);
  return event;
}

/** The stored form: JSON without `metadata.resourceVersion`. Does not modify `obj`. */
function encode(obj: KubeObject): string {
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  return JSON.stringify({ ...obj, metadata });
}

function decode(value: string, revision: number): StoredObject {
  const obj = JSON.parse(value) as StoredObject;
  obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
  return obj;
}

/**
 * A `WHERE` clause selecting the keys under `prefix` (after `startAfterKey` when given) as an
 * index range. The upper bound increments the prefix's last UTF-16 unit, which matches
 * SQLite's byte order for the ASCII keys and `/`-terminated prefixes the Storage contract uses.
 */
function keyRange(column: string, prefix: string, startAfterKey: string | undefined): { clause: string; params: string[] } {
  const clauses = [startAfterKey === undefined ? `${column} >= ?` : `${column} > ?`];
  const params = [startAfterKey ?? prefix];
  const end = prefixEnd(prefix);
  if (end !== undefined) {
    clauses.push(`${column} < ?`);
    params.push(end);
  }
  return { clause: clauses.join(' AND '), params };
}

function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const unit = prefix.charCodeAt(i);
    if (unit < 0xffff) return prefix.slice(0, i) + String.fromCharCode(unit + 1);
  }
  return undefined;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decodeContinue(prefix: string, encoded: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch (error: unknown) {
    throw new BadRequestError('continue key is not valid: not an encoded token', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new BadRequestError('continue key is not valid: not an encoded token');
  }
  const { rev, startAfterKey } = parsed as Record<string, unknown>;
  if (typeof rev !== 'number' || !Number.isSafeInteger(rev) || rev < 0 || typeof startAfterKey !== 'string') {
    throw new BadRequestError('continue key is not valid: malformed token');
  }
  if (!startAfterKey.startsWith(prefix)) {
    throw new BadRequestError('continue key is not valid: it belongs to a different list');
  }
  return { rev, startAfterKey };
}

interface Waiter {
  resolve(result: IteratorResult<StorageWatchEvent>): void;
  reject(error: unknown): void;
}

/**
 * One watch: a queue the store pushes into and a consumer pulls from with `for await`.
 * `lastSeen` is the revision up to which the log has been read for it; anything at or below
 * it is a duplicate and dropped, and a PROGRESS event reports it. The queue is unbounded: a
 * consumer that never reads holds its events in memory.
 */
class LogWatch implements StorageWatch {
  lastSeen: number;
  readonly prefix: string;
  private readonly queue: StorageWatchEvent[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: { error: unknown } | undefined;
  private state: 'open' | 'failed' | 'stopped' = 'open';
  private readonly detach: (watch: LogWatch) => void;
  private readonly onProgressRequest: (watch: LogWatch) => void;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.stop();

  constructor(
    prefix: string,
    fromRevision: number,
    detach: (watch: LogWatch) => void,
    onProgressRequest: (watch: LogWatch) => void,
    signal?: AbortSignal,
  ) {
    this.prefix = prefix;
    this.lastSeen = fromRevision;
    this.detach = detach;
    this.onProgressRequest = onProgressRequest;
    this.signal = signal;
    if (signal?.aborted) this.state = 'stopped';
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  isStopped(): boolean {
    return this.state === 'stopped';
  }

  /** The log has been read up to `revision` for this watch. */
  seen(revision: number): void {
    if (revision > this.lastSeen) this.lastSeen = revision;
  }

  deliver(event: StorageEvent): void {
    if (this.state !== 'open' || event.revision <= this.lastSeen) return;
    this.lastSeen = event.revision;
    this.push(event);
  }

  requestProgress(): void {
    if (this.state === 'open') this.onProgressRequest(this);
  }

  /** Queues PROGRESS at `lastSeen`; an unread one before it is superseded, not repeated. */
  progress(): void {
    if (this.state !== 'open') return;
    const event: StorageWatchEvent = { type: 'PROGRESS', revision: this.lastSeen };
    const last = this.queue.length - 1;
    if (this.queue[last]?.type === 'PROGRESS') this.queue[last] = event;
    else this.push(event);
  }

  /** Ends the watch with `error`, after the events already queued. */
  fail(error: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.release();
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.reject(error);
    else this.failure = { error };
    for (const other of this.waiters.splice(0)) other.resolve({ done: true, value: undefined });
  }

  stop(): void {
    if (this.state === 'stopped') return;
    const wasOpen = this.state === 'open';
    this.state = 'stopped';
    this.queue.length = 0;
    this.failure = undefined;
    if (wasOpen) this.release();
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<StorageWatchEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private push(event: StorageWatchEvent): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve({ done: false, value: event });
    else this.queue.push(event);
  }

  private next(): Promise<IteratorResult<StorageWatchEvent>> {
    const event = this.queue.shift();
    if (event !== undefined) return Promise.resolve({ done: false, value: event });
    if (this.failure !== undefined) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.state !== 'open') return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.detach(this);
  }
}
