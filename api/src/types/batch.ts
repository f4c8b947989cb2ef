// batch/v1 kinds.
export type { Job, JobSpec, JobStatus, JobCondition, CronJob, CronJobSpec, CronJobStatus } from 'kubernetes-types/batch/v1';
