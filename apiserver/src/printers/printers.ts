// Which printer serves which kind (by group and kind, any version), and the NAME/AGE printer for every other kind.
import { since } from './duration';
import { cronJobPrinter, controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter, statefulSetPrinter } from './workloads';
import { eventPrinter, leasePrinter, namespacePrinter, nodePrinter } from './cluster';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './config';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './networking';
import { podPrinter } from './pod';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './volumes';
import { ageColumn, definePrinter, nameColumn, type TablePrinter } from './printer';

/** Name and Age, for kinds without columns of their own (upstream's objectMeta columns). */
export const defaultPrinter: TablePrinter = definePrinter<{ metadata?: { name?: string; creationTimestamp?: string } }>([nameColumn, ageColumn], (obj, { now }) => [
  obj.metadata?.name ?? '',
  since(obj.metadata?.creationTimestamp, now),
]);

/** Keyed `kind.group` (`Deployment.apps`, `Pod.` for core), as upstream keys printers by type rather than version. */
const byGroupKind: ReadonlyMap<string, TablePrinter> = new Map([
  ['Pod.', podPrinter],
  ['Service.', servicePrinter],
  ['Endpoints.', endpointsPrinter],
  ['Node.', nodePrinter],
  ['Namespace.', namespacePrinter],
  ['ConfigMap.', configMapPrinter],
  ['Secret.', secretPrinter],
  ['ServiceAccount.', serviceAccountPrinter],
  ['Event.', eventPrinter],
  ['PersistentVolume.', persistentVolumePrinter],
  ['PersistentVolumeClaim.', persistentVolumeClaimPrinter],
  ['Deployment.apps', deploymentPrinter],
  ['ReplicaSet.apps', replicaSetPrinter],
  ['StatefulSet.apps', statefulSetPrinter],
  ['DaemonSet.apps', daemonSetPrinter],
  ['ControllerRevision.apps', controllerRevisionPrinter],
  ['Job.batch', jobPrinter],
  ['CronJob.batch', cronJobPrinter],
  ['Lease.coordination.k8s.io', leasePrinter],
  ['EndpointSlice.discovery.k8s.io', endpointSlicePrinter],
  ['StorageClass.storage.k8s.io', storageClassPrinter],
]);

/** The printer for a kind, or the Name/Age default. */
export function printerFor(info: { group: string; kind: string }): TablePrinter {
  return byGroupKind.get(`${info.kind}.${info.group}`) ?? defaultPrinter;
}

/** Whether a kind has columns of its own (the rest print Name and Age). */
export function hasPrinter(info: { group: string; kind: string }): boolean {
  return byGroupKind.has(`${info.kind}.${info.group}`);
}
