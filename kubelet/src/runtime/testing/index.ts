// Public surface of the runtime test fixtures (busybox rootfs, container directories, helper harness).
export { buildBusyboxRootfs, HOST_BUSYBOX, makeContainerDirs, removeSharedBusyboxLayer, sharedBusyboxLayer, type ContainerDirs } from './rootfs';
export { HelperHarness, hostMountsMention, randomSuffix, type StartedContainer, type StartedSandbox } from './harness';
