// The local-path provisioner's reconciles: a hostPath PersistentVolume on one node for each claim of a keelson.io/local-path class, and its directory removed on reclaim.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { isStatusError, type Node, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '@keelson/api';
import { splitKey, type EventRecorder, type Lister, type Logger, type RestClient } from '@keelson/client';
import { errorText } from '../../common/errors';
import { claimReference, updateVolumePhase } from '../persistentvolume/sync';
import { annBetaStorageProvisioner, annBoundByController, annDynamicallyProvisioned, annStorageProvisioner, claimClass, selectedNode } from '../util';

/** The provisioner name a StorageClass names to get local-path volumes. */
export const localPathProvisionerName = 'keelson.io/local-path';
/** Where volumes' directories go unless configured (`localPathDir`). */
export const defaultLocalPathDir = '/var/lib/keelson/storage';
/** The node label the volume's node affinity selects on. */
export const hostnameLabel = 'kubernetes.io/hostname';

/** Access modes a directory on one node can honour. */
const supportedAccessModes = new Set(['ReadWriteOnce', 'ReadWriteOncePod']);

/** No node to put an Immediate claim's volume on: retried with back-off. */
export class NoNodeForVolumeError extends Error {
  constructor(readonly claim: string) {
    super(`no Ready node to put the volume of claim ${claim} on`);
    this.name = 'NoNodeForVolumeError';
  }
}

export interface LocalPathDeps {
  client: RestClient;
  claims: Lister<PersistentVolumeClaim>;
  volumes: Lister<PersistentVolume>;
  classes: Lister<StorageClass>;
  nodes: Lister<Node>;
  recorder: EventRecorder;
  logger: Logger;
  /** The provisioner name classes must name. */
  provisionerName: string;
  /** The directory volumes are made under (absolute). */
  baseDir: string;
  /**
   * The node this controller runs on: directories are removed only for volumes on it, and
   * Immediate claims go to it when it is a Ready node.
   */
  nodeName: string | undefined;
  /** Removes a directory and everything in it (fs.rm, recursive); injected for tests. */
  removeDir(dir: string): Promise<void>;
}

/** A real recursive delete; a directory already gone is fine. */
export function removeDirectory(dir: string): Promise<void> {
  return fsp.rm(dir, { recursive: true, force: true });
}

/** The volume name for a claim, as Kubernetes' provisioners name them: `pvc-<claim uid>`. */
export function volumeNameFor(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata?.uid ?? ''}`;
}

/** `<base>/<pv-name>_<namespace>_<claim>`, as Rancher's local-path-provisioner lays directories out. */
export function volumeDir(baseDir: string, pvName: string, claim: PersistentVolumeClaim): string {
  return path.join(baseDir, `${pvName}_${claim.metadata?.namespace ?? ''}_${claim.metadata?.name ?? ''}`);
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && node.spec?.unschedulable !== true && node.metadata?.deletionTimestamp === undefined;
}

/** Where an Immediate claim's volume goes: this controller's node if Ready, else the first Ready node by name. */
function pickNode(d: LocalPathDeps): string | undefined {
  if (d.nodeName !== undefined) {
    const own = d.nodes.get(undefined, d.nodeName);
    if (own !== undefined && isReady(own)) return d.nodeName;
  }
  return d.nodes
    .list()
    .filter(isReady)
    .map((n) => n.metadata?.name ?? '')
    .sort()[0];
}

/**
 * Provisions claim `ns/name` (the external provisioner's shouldProvision + provision):
 *
 *   unbound, annotated by the binder for this provisioner, class names this provisioner
 *   ─► WaitForFirstConsumer: wait for `volume.kubernetes.io/selected-node`
 *      Immediate: this controller's node, else any Ready node
 *   ─► PersistentVolume `pvc-<uid>`: the claim's size and access modes, the class's reclaim
 *      policy and mount options, hostPath `<base>/<pv>_<ns>_<claim>` (DirectoryOrCreate: the
 *      kubelet makes the directory when a pod mounts it), required node affinity to the node,
 *      claimRef to the claim (the binder then binds both)
 */
export async function syncProvision(d: LocalPathDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const claim = d.claims.get(namespace, name);
  if (claim === undefined || claim.metadata?.deletionTimestamp !== undefined) return;
  if ((claim.spec?.volumeName ?? '') !== '') return;
  const ann = claim.metadata?.annotations ?? {};
  if (ann[annStorageProvisioner] !== d.provisionerName && ann[annBetaStorageProvisioner] !== d.provisionerName) return;
  const sc = d.classes.get(undefined, claimClass(claim));
  if (sc === undefined || sc.provisioner !== d.provisionerName) return;
  const pvName = volumeNameFor(claim);
  if (d.volumes.get(undefined, pvName) !== undefined) return;

  let node = selectedNode(claim);
  if (node === undefined) {
    if (sc.volumeBindingMode === 'WaitForFirstConsumer') return;
    node = pickNode(d);
    if (node === undefined) {
      d.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name ?? ''}": no Ready node to put it on`);
      throw new NoNodeForVolumeError(key);
    }
  }
  const unfit = unsupported(claim);
  if (unfit !== undefined) {
    d.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name ?? ''}": ${unfit}`);
    return;
  }

  d.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
  const dir = volumeDir(d.baseDir, pvName, claim);
  const hostname = d.nodes.get(undefined, node)?.metadata?.labels?.[hostnameLabel] ?? node;
  const volume: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: pvName,
      annotations: { [annDynamicallyProvisioned]: d.provisionerName, [annBoundByController]: 'yes' },
    },
    spec: {
      capacity: { storage: String(claim.spec?.resources?.requests?.['storage'] ?? '') },
      accessModes: [...(claim.spec?.accessModes ?? [])],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name ?? '',
      volumeMode: 'Filesystem',
      ...(sc.mountOptions !== undefined ? { mountOptions: [...sc.mountOptions] } : {}),
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: hostnameLabel, operator: 'In', values: [hostname] }] }] } },
      claimRef: claimReference(claim),
    },
  };
  try {
    await d.client.resource('v1', 'PersistentVolume').create(volume);
  } catch (e: unknown) {
    if (isStatusError(e, 'AlreadyExists')) return;
    d.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name ?? ''}": ${errorText(e)}`);
    throw e;
  }
  d.logger.info('provisioned local-path volume', { kind: 'PersistentVolumeClaim', namespace, name, volume: pvName, node, path: dir });
  d.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
}

/** Why this provisioner cannot serve the claim, or undefined. */
function unsupported(claim: PersistentVolumeClaim): string | undefined {
  if ((claim.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') return `volumeMode ${claim.spec?.volumeMode ?? ''} is not supported, only Filesystem`;
  const modes = claim.spec?.accessModes ?? [];
  const bad = modes.filter((m) => !supportedAccessModes.has(m));
  if (bad.length > 0) return `access mode ${bad.join(', ')} is not supported, only ReadWriteOnce and ReadWriteOncePod`;
  const size = claim.spec?.resources?.requests?.['storage'];
  if (size === undefined || String(size) === '') return 'the claim has no storage request';
  return undefined;
}

/** The node a local-path volume lives on, from its required node affinity. */
export function volumeNode(volume: PersistentVolume): string | undefined {
  for (const term of volume.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) if (e.key === hostnameLabel && e.operator === 'In' && e.values?.length === 1) return e.values[0];
  }
  return undefined;
}

/**
 * Deletes a Released local-path volume whose policy is Delete (the external provisioner's
 * shouldDelete + delete): removes its directory, then the PersistentVolume (uid precondition).
 *
 * The directory is on the volume's node. This controller removes it only when that node is the
 * one it runs on (`nodeName`; a single-node cluster, or the all-in-one server); for a volume on
 * another node it cannot reach the directory, so it marks the volume Failed with an event and
 * leaves both for an administrator rather than dropping the object and leaking the data
 * silently. A path outside the base directory is never removed.
 */
export async function syncDelete(d: LocalPathDeps, name: string): Promise<void> {
  const volume = d.volumes.get(undefined, name);
  if (volume === undefined || volume.metadata?.annotations?.[annDynamicallyProvisioned] !== d.provisionerName) return;
  if (volume.status?.phase !== 'Released' || volume.spec?.persistentVolumeReclaimPolicy !== 'Delete' || volume.spec.claimRef === undefined) return;
  const dir = volume.spec.hostPath?.path;
  const node = volumeNode(volume);
  const fail = async (message: string): Promise<void> => {
    d.recorder.event(volume, 'Warning', 'VolumeFailedDelete', message);
    await updateVolumePhase(d, volume, 'Failed', message);
  };
  if (dir === undefined || !isWithin(d.baseDir, dir)) {
    await fail(`local-path volume directory "${dir ?? ''}" is not under ${d.baseDir}; not removing it`);
    return;
  }
  if (node === undefined || node !== d.nodeName) {
    await fail(`local-path directory ${dir} is on node ${node ?? '<unknown>'}; this provisioner runs on ${d.nodeName ?? '<unknown>'} and cannot remove it`);
    return;
  }
  try {
    await d.removeDir(dir);
  } catch (e: unknown) {
    await fail(`failed to remove local-path directory ${dir}: ${errorText(e)}`);
    return;
  }
  try {
    await d.client.resource('v1', 'PersistentVolume').delete(name, { preconditions: { uid: volume.metadata?.uid ?? '' } });
  } catch (e: unknown) {
    if (!isStatusError(e, 'NotFound')) throw e;
  }
  d.logger.info('deleted local-path volume', { kind: 'PersistentVolume', name, node, path: dir });
}

function isWithin(base: string, dir: string): boolean {
  const rel = path.relative(path.resolve(base), path.resolve(dir));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
