// PersistentVolume binder wiring: volume, claim and StorageClass handlers enqueue keys on two queues (volumes, claims); a periodic resync retries what is waiting.
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '@keelson/api';
import { WorkQueue, deletedObject, keyOf, systemClock, type Clock, type EventRecorder, type Logger, type RestClient, type SharedIndexInformer, type Timer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../../common/controller';
import { annBindCompleted, claimKeyOf } from '../util';
import { syncClaim, syncVolume, type BinderSyncDeps } from './sync';

export interface PersistentVolumeBinderOptions {
  client: RestClient;
  volumes: SharedIndexInformer<PersistentVolume>;
  claims: SharedIndexInformer<PersistentVolumeClaim>;
  classes: SharedIndexInformer<StorageClass>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Workers per queue. Default 1 (Kubernetes runs one volume and one claim worker). */
  workers?: number;
  /** How often every volume and claim is synced again (--pvclaimbinder-sync-period). Default 15 s. */
  syncPeriodMs?: number;
}

/**
 * Binds claims to volumes and follows both through their lives (Kubernetes'
 * persistentvolume-binder):
 *
 *   volume events ─► volumes queue (name) ─► syncVolume; a volume naming a claim, or a new
 *                    free one, also wakes the claims waiting for one
 *   claim events  ─► claims queue (ns/name) ─► syncClaim; its volume is looked at too
 *   class events  ─► every unbound claim (a default class or a missing class appeared)
 *   every syncPeriodMs ─► everything again (a failed binding, a claim waiting for a volume)
 */
export class PersistentVolumeBinder implements Controller {
  readonly name = 'persistentvolume-binder';
  readonly volumeQueue: WorkQueue<string>;
  readonly claimQueue: WorkQueue<string>;
  private readonly deps: BinderSyncDeps;
  private readonly clock: Clock;

  constructor(private readonly o: PersistentVolumeBinderOptions) {
    this.clock = o.clock ?? o.client.clock ?? systemClock;
    const reg = o.registry ? { registry: o.registry } : {};
    this.volumeQueue = new WorkQueue<string>({ name: 'volumes', clock: this.clock, ...reg });
    this.claimQueue = new WorkQueue<string>({ name: 'claims', clock: this.clock, ...reg });
    this.deps = {
      client: o.client,
      volumes: o.volumes.lister,
      claims: o.claims.lister,
      classes: o.classes.lister,
      recorder: o.recorder,
      logger: o.logger,
      enqueueClaim: (key) => this.claimQueue.add(key),
    };
    o.volumes.addEventHandler({ onAdd: (v) => this.onVolume(v), onUpdate: (_old, cur) => this.onVolume(cur), onDelete: (obj) => this.onVolumeDelete(deletedObject(obj)) });
    o.claims.addEventHandler({ onAdd: (c) => this.onClaim(c), onUpdate: (_old, cur) => this.onClaim(cur), onDelete: (obj) => this.onClaimDelete(deletedObject(obj)) });
    o.classes.addEventHandler({ onAdd: () => this.onClassChange(), onUpdate: () => this.onClassChange() });
  }

  /** A volume added or changed: sync it; wake the claim it names, or, when it is free, every claim still waiting. */
  onVolume(v: PersistentVolume): void {
    this.volumeQueue.add(keyOf(v));
    const ref = v.spec?.claimRef;
    if (ref !== undefined) this.claimQueue.add(claimKeyOf(ref));
    else if (v.status?.phase === 'Available') this.onClassChange();
  }

  /** A volume gone: its claim becomes Lost. */
  onVolumeDelete(v: PersistentVolume): void {
    const ref = v.spec?.claimRef;
    if (ref !== undefined) this.claimQueue.add(claimKeyOf(ref));
  }

  /** A claim added or changed: sync it and the volume it names. */
  onClaim(c: PersistentVolumeClaim): void {
    this.claimQueue.add(keyOf(c));
    const volume = c.spec?.volumeName;
    if (volume !== undefined && volume !== '') this.volumeQueue.add(volume);
  }

  /** A claim gone: its volume is released. */
  onClaimDelete(c: PersistentVolumeClaim): void {
    const volume = c.spec?.volumeName;
    if (volume !== undefined && volume !== '') this.volumeQueue.add(volume);
  }

  /** A class added or changed (a default class, a missing class), or a volume freed: every claim not yet bound. */
  onClassChange(): void {
    for (const c of this.o.claims.lister.list()) if (c.metadata?.annotations?.[annBindCompleted] === undefined) this.claimQueue.add(keyOf(c));
  }

  private resync(): void {
    for (const v of this.o.volumes.lister.list()) this.volumeQueue.add(keyOf(v));
    for (const c of this.o.claims.lister.list()) this.claimQueue.add(keyOf(c));
  }

  /** Reconciles one claim key, `ns/name` (exposed for tests). */
  syncClaim(key: string): Promise<void> {
    return syncClaim(this.deps, key);
  }

  /** Reconciles one volume by name (exposed for tests). */
  syncVolume(name: string): Promise<void> {
    return syncVolume(this.deps, name);
  }

  async run(signal: AbortSignal): Promise<void> {
    const period = this.o.syncPeriodMs ?? 15_000;
    let timer: Timer | undefined;
    const tick = (): void => {
      if (signal.aborted) return;
      this.resync();
      timer = this.clock.setTimer(period, tick);
    };
    timer = this.clock.setTimer(period, tick);
    const informers = [this.o.volumes, this.o.claims, this.o.classes];
    const workers = this.o.workers ?? 1;
    try {
      await Promise.all([
        runLoop({ name: `${this.name}-volumes`, queue: this.volumeQueue, workers, informers, sync: (key) => this.syncVolume(key), logger: this.o.logger }, signal),
        runLoop({ name: `${this.name}-claims`, queue: this.claimQueue, workers, informers, sync: (key) => this.syncClaim(key), logger: this.o.logger }, signal),
      ]);
    } finally {
      timer.cancel();
    }
  }
}
