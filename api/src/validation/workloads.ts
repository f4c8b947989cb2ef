// Rules for workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob.
import type { FieldError } from '../errors';
import { selectorFromLabelSelector } from '../labels';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../types/apps';
import type { CronJob, Job } from '../types/batch';
import type { PodTemplateSpec } from '../types/core';
import type { LabelSelector } from '../types/meta';
import { FieldPath, fieldErr } from './errors';
import { validateLabels } from './meta';
import { validatePodSpec, type PodSpecRules } from './pod';

type IntOrString = number | string;

function nonNegative(v: number | undefined, at: FieldPath, errs: FieldError[]): void {
  if (v !== undefined && v < 0) errs.push(fieldErr.invalid(at, v, 'must be greater than or equal to 0'));
}

/** Checks an int-or-percent (`1`, `25%`) and returns its value as a number of percent or units. */
function checkIntOrPercent(v: IntOrString | undefined, at: FieldPath, errs: FieldError[]): { percent: boolean; n: number } | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') {
    nonNegative(v, at, errs);
    return { percent: false, n: v };
  }
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    errs.push(fieldErr.invalid(at, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
    return undefined;
  }
  return { percent: true, n: Number(m[1]) };
}

/** The selector is required, non-empty and must select the template's labels. */
function validateSelectorAndTemplate(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  at: FieldPath,
  podRules: PodSpecRules,
): FieldError[] {
  const errs: FieldError[] = [];
  const selAt = at.child('selector');
  if (!selector) errs.push(fieldErr.required(selAt));
  else if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    errs.push(fieldErr.invalid(selAt, selector, 'empty selector is invalid for deployment'));
  } else {
    errs.push(...validateLabels(selector.matchLabels, selAt.child('matchLabels')));
  }
  const tAt = at.child('template');
  if (!template) {
    errs.push(fieldErr.required(tAt));
    return errs;
  }
  const labels = template.metadata?.labels ?? {};
  errs.push(...validateLabels(labels, tAt.child('metadata').child('labels')));
  if (selector && errs.length === 0) {
    try {
      if (!selectorFromLabelSelector(selector).matches(labels)) {
        errs.push(fieldErr.invalid(tAt.child('metadata').child('labels'), labels, '`selector` does not match template `labels`'));
      }
    } catch (e: unknown) {
      errs.push(fieldErr.invalid(selAt, selector, e instanceof Error ? e.message : String(e)));
    }
  }
  errs.push(...validatePodSpec(template.spec, tAt.child('spec'), podRules));
  return errs;
}

const always: PodSpecRules = { restartPolicies: ['Always'] };

export function validateDeployment(d: Deployment): FieldError[] {
  const at = FieldPath.root('spec');
  const spec = d.spec;
  if (!spec) return [fieldErr.required(at)];
  const errs: FieldError[] = [];
  nonNegative(spec.replicas, at.child('replicas'), errs);
  nonNegative(spec.minReadySeconds, at.child('minReadySeconds'), errs);
  nonNegative(spec.revisionHistoryLimit, at.child('revisionHistoryLimit'), errs);
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, at, always));
  const strategy = spec.strategy;
  const types = ['Recreate', 'RollingUpdate'];
  if (strategy?.type !== undefined && !types.includes(strategy.type)) {
    errs.push(fieldErr.notSupported(at.child('strategy').child('type'), strategy.type, types));
  }
  if (strategy?.type === 'Recreate' && strategy.rollingUpdate) {
    errs.push(fieldErr.forbidden(at.child('strategy').child('rollingUpdate'), 'may not be specified when strategy `type` is \'Recreate\''));
  }
  const ru = strategy?.rollingUpdate;
  if (ru) {
    const ruAt = at.child('strategy').child('rollingUpdate');
    const surge = checkIntOrPercent(ru.maxSurge, ruAt.child('maxSurge'), errs);
    const unavailable = checkIntOrPercent(ru.maxUnavailable, ruAt.child('maxUnavailable'), errs);
    if (unavailable?.percent && unavailable.n > 100) {
      errs.push(fieldErr.invalid(ruAt.child('maxUnavailable'), ru.maxUnavailable, 'must not be greater than 100%'));
    }
    if (surge && unavailable && surge.n === 0 && unavailable.n === 0) {
      errs.push(fieldErr.invalid(ruAt.child('maxUnavailable'), ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  if (spec.progressDeadlineSeconds !== undefined) {
    if (spec.progressDeadlineSeconds <= 0) {
      errs.push(fieldErr.invalid(at.child('progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than 0'));
    } else if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(fieldErr.invalid(at.child('progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const at = FieldPath.root('spec');
  const spec = rs.spec;
  if (!spec) return [fieldErr.required(at)];
  const errs: FieldError[] = [];
  nonNegative(spec.replicas, at.child('replicas'), errs);
  nonNegative(spec.minReadySeconds, at.child('minReadySeconds'), errs);
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, at, always));
  return errs;
}

export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const at = FieldPath.root('spec');
  const spec = ss.spec;
  if (!spec) return [fieldErr.required(at)];
  const errs: FieldError[] = [];
  nonNegative(spec.replicas, at.child('replicas'), errs);
  nonNegative(spec.minReadySeconds, at.child('minReadySeconds'), errs);
  nonNegative(spec.revisionHistoryLimit, at.child('revisionHistoryLimit'), errs);
  const policies = ['OrderedReady', 'Parallel'];
  if (spec.podManagementPolicy !== undefined && !policies.includes(spec.podManagementPolicy)) {
    errs.push(fieldErr.notSupported(at.child('podManagementPolicy'), spec.podManagementPolicy, policies));
  }
  const types = ['RollingUpdate', 'OnDelete'];
  const us = spec.updateStrategy;
  if (us?.type !== undefined && !types.includes(us.type)) errs.push(fieldErr.notSupported(at.child('updateStrategy').child('type'), us.type, types));
  if (us?.type === 'OnDelete' && us.rollingUpdate) {
    errs.push(fieldErr.invalid(at.child('updateStrategy').child('rollingUpdate'), us.rollingUpdate, 'only allowed for updateStrategy \'RollingUpdate\''));
  }
  nonNegative(us?.rollingUpdate?.partition, at.child('updateStrategy').child('rollingUpdate').child('partition'), errs);
  // The claim templates become volumes of every pod, so mounts may name them (as upstream validates the template).
  const podVolumes = spec.template.spec?.volumes ?? [];
  const claimVolumes = (spec.volumeClaimTemplates ?? [])
    .map((t) => t.metadata?.name ?? '')
    .filter((name) => name !== '' && !podVolumes.some((v) => v.name === name))
    .map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
  const template = claimVolumes.length === 0 || spec.template.spec === undefined ? spec.template : { ...spec.template, spec: { ...spec.template.spec, volumes: [...podVolumes, ...claimVolumes] } };
  errs.push(...validateSelectorAndTemplate(spec.selector, template, at, always));
  const claimNames = new Set<string>();
  (spec.volumeClaimTemplates ?? []).forEach((t, i) => {
    const name = t.metadata?.name;
    const p = at.child('volumeClaimTemplates').index(i).child('metadata').child('name');
    if (!name) errs.push(fieldErr.required(p));
    else if (claimNames.has(name)) errs.push(fieldErr.duplicate(p, name));
    else claimNames.add(name);
  });
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const at = FieldPath.root('spec');
  const spec = ds.spec;
  if (!spec) return [fieldErr.required(at)];
  const errs: FieldError[] = [];
  nonNegative(spec.minReadySeconds, at.child('minReadySeconds'), errs);
  nonNegative(spec.revisionHistoryLimit, at.child('revisionHistoryLimit'), errs);
  const types = ['RollingUpdate', 'OnDelete'];
  const us = spec.updateStrategy;
  if (us?.type !== undefined && !types.includes(us.type)) errs.push(fieldErr.notSupported(at.child('updateStrategy').child('type'), us.type, types));
  const ru = us?.rollingUpdate;
  if (ru) {
    const ruAt = at.child('updateStrategy').child('rollingUpdate');
    const surge = checkIntOrPercent(ru.maxSurge, ruAt.child('maxSurge'), errs);
    const unavailable = checkIntOrPercent(ru.maxUnavailable, ruAt.child('maxUnavailable'), errs);
    if (surge && unavailable && surge.n === 0 && unavailable.n === 0) {
      errs.push(fieldErr.invalid(ruAt.child('maxUnavailable'), ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, at, always));
  return errs;
}

function validateJobSpec(spec: Job['spec'], at: FieldPath, generatedSelector: boolean): FieldError[] {
  if (!spec) return [fieldErr.required(at)];
  const errs: FieldError[] = [];
  nonNegative(spec.parallelism, at.child('parallelism'), errs);
  nonNegative(spec.completions, at.child('completions'), errs);
  nonNegative(spec.backoffLimit, at.child('backoffLimit'), errs);
  nonNegative(spec.ttlSecondsAfterFinished, at.child('ttlSecondsAfterFinished'), errs);
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds <= 0) {
    errs.push(fieldErr.invalid(at.child('activeDeadlineSeconds'), spec.activeDeadlineSeconds, 'must be greater than 0'));
  }
  const modes = ['NonIndexed', 'Indexed'];
  if (spec.completionMode !== undefined && !modes.includes(spec.completionMode)) {
    errs.push(fieldErr.notSupported(at.child('completionMode'), spec.completionMode, modes));
  }
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) {
    errs.push(fieldErr.required(at.child('completions'), 'when completion mode is Indexed'));
  }
  const rules: PodSpecRules = { restartPolicies: ['OnFailure', 'Never'] };
  if (generatedSelector || !spec.selector) {
    // The selector is generated from the job's uid; only the template needs checking.
    const tAt = at.child('template');
    if (!spec.template) errs.push(fieldErr.required(tAt));
    else {
      errs.push(...validateLabels(spec.template.metadata?.labels, tAt.child('metadata').child('labels')));
      errs.push(...validatePodSpec(spec.template.spec, tAt.child('spec'), rules));
      if (spec.template.spec && spec.template.spec.restartPolicy === undefined) {
        errs.push(fieldErr.required(tAt.child('spec').child('restartPolicy'), 'supported values: "OnFailure", "Never"'));
      }
    }
  } else {
    errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, at, rules));
  }
  return errs;
}

export function validateJob(job: Job): FieldError[] {
  const generated = job.spec?.manualSelector !== true;
  return validateJobSpec(job.spec, FieldPath.root('spec'), generated);
}

/** Five cron fields or a macro (`@hourly`); ranges, steps and lists in each field. */
export function isValidCronSchedule(schedule: string): boolean {
  const s = schedule.replace(/^(CRON_)?TZ=\S+\s+/, '').trim();
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(s)) return true;
  if (/^@every\s+\S+$/.test(s)) return true;
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return false;
  const limits: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
  const names = [[], [], [], ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']];
  return fields.every((field, i) => {
    const [lo, hi] = limits[i] ?? [0, 0];
    const nameList = names[i] ?? [];
    const num = (t: string): number | undefined => {
      const idx = nameList.indexOf(t.toUpperCase());
      if (idx >= 0) return idx + (i === 3 ? 1 : 0);
      return /^\d+$/.test(t) ? Number(t) : undefined;
    };
    return field.split(',').every((part) => {
      const [range, step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step)) return false;
      if (range === '*' || range === '?') return true;
      const [a, b] = (range ?? '').split('-');
      const x = num(a ?? '');
      const y = b === undefined ? x : num(b);
      return x !== undefined && y !== undefined && x >= lo && y <= hi && x <= y;
    });
  });
}

export function validateCronJob(cj: CronJob): FieldError[] {
  const at = FieldPath.root('spec');
  const spec = cj.spec;
  if (!spec) return [fieldErr.required(at)];
  const errs: FieldError[] = [];
  if (!spec.schedule) errs.push(fieldErr.required(at.child('schedule')));
  else if (!isValidCronSchedule(spec.schedule)) errs.push(fieldErr.invalid(at.child('schedule'), spec.schedule, 'unparseable schedule'));
  const policies = ['Allow', 'Forbid', 'Replace'];
  if (spec.concurrencyPolicy !== undefined && !policies.includes(spec.concurrencyPolicy)) {
    errs.push(fieldErr.notSupported(at.child('concurrencyPolicy'), spec.concurrencyPolicy, policies));
  }
  nonNegative(spec.startingDeadlineSeconds, at.child('startingDeadlineSeconds'), errs);
  nonNegative(spec.successfulJobsHistoryLimit, at.child('successfulJobsHistoryLimit'), errs);
  nonNegative(spec.failedJobsHistoryLimit, at.child('failedJobsHistoryLimit'), errs);
  const name = cj.metadata?.name;
  if (name && name.length > 52) errs.push(fieldErr.invalid(FieldPath.root('metadata').child('name'), name, 'must be no more than 52 characters'));
  errs.push(...validateJobSpec(spec.jobTemplate?.spec, at.child('jobTemplate').child('spec'), true));
  return errs;
}
