// Public surface of leader election: the elector, the Lease client interface it needs, and an in-memory fake of it.
export { LeaderElector, completeLeaderElectionConfig } from './elector';
export {
  LeaderElectionConfigError,
  type LeaseClient,
  type RequestOptions,
  type LeaderCallbacks,
  type LeaderElectionOptions,
  type LeaderElectionConfig,
} from './types';
export { microTime, recordFromLease, type LeaderElectionRecord } from './record';
export { FakeLeaseClient, type LeaseFault, type LeaseOperation } from './fake';
