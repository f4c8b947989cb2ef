// apps/v1 kinds.
export type {
  Deployment,
  DeploymentSpec,
  DeploymentStatus,
  DeploymentStrategy,
  DeploymentCondition,
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
  DaemonSet,
  DaemonSetSpec,
  DaemonSetStatus,
  ControllerRevision,
} from 'kubernetes-types/apps/v1';
