// local-path provisioner wiring: claim handlers enqueue provisioning, volume handlers enqueue deletion; StorageClass and Node changes wake waiting claims.
import { hostname } from 'node:os';
import * as path from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '@keelson/api';
import { WorkQueue, keyOf, systemClock, type Clock, type EventRecorder, type Logger, type RestClient, type SharedIndexInformer } from '@keelson/client';
import type { Registry } from 'prom-client';
import { runLoop, type Controller } from '../../common/controller';
import { defaultLocalPathDir, localPathProvisionerName, removeDirectory, syncDelete, syncProvision, type LocalPathDeps } from './provision';

export interface LocalPathProvisionerOptions {
  client: RestClient;
  claims: SharedIndexInformer<PersistentVolumeClaim>;
  volumes: SharedIndexInformer<PersistentVolume>;
  classes: SharedIndexInformer<StorageClass>;
  nodes: SharedIndexInformer<Node>;
  recorder: EventRecorder;
  logger: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Workers per queue. Default 2. */
  workers?: number;
  /** Base directory of volumes on every node. Default /var/lib/keelson/storage. */
  baseDir?: string;
  /** The node this process runs on (its directories are the ones it can remove). Default the host name, lower-cased. */
  nodeName?: string;
  /** The name StorageClasses give as `provisioner`. Default keelson.io/local-path. */
  provisionerName?: string;
  /** Replaces the recursive directory delete (tests). */
  removeDir?: (dir: string) => Promise<void>;
}

/**
 * Dynamic provisioning of node-local directories, like Rancher's local-path-provisioner in k3s:
 *
 *   claim events ─► provision queue ─► syncProvision: hostPath PV pre-bound to the claim,
 *                                      pinned to the selected (or a Ready) node
 *   volume events ─► delete queue ─► syncDelete: Released + Delete ─► rm -r dir ─► delete PV
 *   class / node events ─► claims waiting for them
 */
export class LocalPathProvisioner implements Controller {
  readonly name = 'local-path-provisioner';
  readonly provisionQueue: WorkQueue<string>;
  readonly deleteQueue: WorkQueue<string>;
  readonly deps: LocalPathDeps;

  constructor(private readonly o: LocalPathProvisionerOptions) {
    const clock = o.clock ?? o.client.clock ?? systemClock;
    const reg = o.registry ? { registry: o.registry } : {};
    this.provisionQueue = new WorkQueue<string>({ name: 'local_path_provision', clock, ...reg });
    this.deleteQueue = new WorkQueue<string>({ name: 'local_path_delete', clock, ...reg });
    this.deps = {
      client: o.client,
      claims: o.claims.lister,
      volumes: o.volumes.lister,
      classes: o.classes.lister,
      nodes: o.nodes.lister,
      recorder: o.recorder,
      logger: o.logger,
      provisionerName: o.provisionerName ?? localPathProvisionerName,
      baseDir: path.resolve(o.baseDir ?? defaultLocalPathDir),
      nodeName: o.nodeName ?? hostname().toLowerCase(),
      removeDir: o.removeDir ?? removeDirectory,
    };
    const onClaim = (c: PersistentVolumeClaim): void => {
      if ((c.spec?.volumeName ?? '') === '') this.provisionQueue.add(keyOf(c));
    };
    o.claims.addEventHandler({ onAdd: onClaim, onUpdate: (_old, cur) => onClaim(cur) });
    const onVolume = (v: PersistentVolume): void => {
      if (v.status?.phase === 'Released') this.deleteQueue.add(keyOf(v));
    };
    o.volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_old, cur) => onVolume(cur) });
    const wakeClaims = (): void => {
      for (const c of o.claims.lister.list()) onClaim(c);
    };
    o.classes.addEventHandler({ onAdd: wakeClaims, onUpdate: wakeClaims });
    const ready = (n: Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    o.nodes.addEventHandler({ onAdd: wakeClaims, onUpdate: (old, cur) => {
        if (ready(old) !== ready(cur)) wakeClaims();
      },
    });
  }

  /** Provisions for one claim key (exposed for tests). */
  syncProvision(key: string): Promise<void> {
    return syncProvision(this.deps, key);
  }

  /** Reclaims one volume by name (exposed for tests). */
  syncDelete(name: string): Promise<void> {
    return syncDelete(this.deps, name);
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.o.claims, this.o.volumes, this.o.classes, this.o.nodes];
    const workers = this.o.workers ?? 2;
    await Promise.all([
      runLoop({ name: `${this.name}-provision`, queue: this.provisionQueue, workers, informers, sync: (key) => this.syncProvision(key), logger: this.o.logger }, signal),
      runLoop({ name: `${this.name}-delete`, queue: this.deleteQueue, workers, informers, sync: (key) => this.syncDelete(key), logger: this.o.logger }, signal),
    ]);
  }
}
