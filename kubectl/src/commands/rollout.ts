// `keelctl rollout status|history|undo|restart|pause|resume` for Deployments, StatefulSets and DaemonSets.
import type { Command } from 'commander';
import { NotFoundError, type DaemonSet, type Deployment, type PodTemplateSpec, type StatefulSet } from '@keelson/api';
import type { JsonPatchOperation, RestClient } from '@keelson/client';
import type { CommandContext } from '../context';
import { CliError, describeError } from '../errors';
import { boolFlag, durationFlag, intFlag } from '../ops/flags';
import { rfc3339, table } from '../ops/format';
import { changeCauseAnnotation, controllerRevisions, deploymentRevisions, equalIgnoreHash, revisionAnnotation, sameTemplate, withoutHash, type Revision } from '../ops/history';
import { describePodTemplate } from '../ops/podtemplate';
import { daemonSetStatus, deploymentStatus, statefulSetStatus, type RolloutState } from '../ops/rolloutstatus';
import { groupKind, groupResource, objectName, requireNamedTargets, type Target } from '../ops/targets';
import { untilWithSync } from '../ops/watch';

/** The annotation `rollout restart` sets on the pod template, as kubectl does. */
export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** Deployment annotations a rollback keeps rather than copying from the ReplicaSet (kubectl's list). */
const annotationsToSkip = new Set([
  lastAppliedAnnotation,
  revisionAnnotation,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

type Workload = 'Deployment' | 'StatefulSet' | 'DaemonSet';

function workloadOf(t: Target): Workload | undefined {
  if (t.info.group !== 'apps') return undefined;
  const k = t.info.kind;
  return k === 'Deployment' || k === 'StatefulSet' || k === 'DaemonSet' ? k : undefined;
}

/** Runs `fn` on every target; failures are reported together at the end, as kubectl aggregates them. */
async function eachTarget(c: CommandContext, args: string[], fn: (t: Target) => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  for (const t of requireNamedTargets(args)) {
    try {
      await fn(t);
    } catch (e: unknown) {
      errors.push(e);
    }
  }
  const last = errors.pop();
  for (const e of errors) c.err.write(`${describeError(e)}\n`);
  if (last !== undefined) throw last instanceof Error ? last : new CliError(JSON.stringify(last));
}

export function registerRollout(program: Command, ctx: () => CommandContext): void {
  const rollout = program.command('rollout').description('Manage the rollout of one or many resources');

  rollout
    .command('status')
    .description('Show the status of the rollout')
    .argument('[resource...]', 'TYPE/NAME or TYPE NAME')
    .option('-w, --watch [bool]', 'watch the status of the rollout until it is done', 'true')
    .option('--revision <n>', 'pin to a specific revision for showing its status (0: the latest)', '0')
    .option('--timeout <duration>', 'how long to wait before ending the watch; 0 means never', '0s')
    .action(async (args: string[], flags: { watch: string | boolean; revision: string; timeout: string }) => {
      const c = ctx();
      const watch = boolFlag(flags.watch, 'watch') ?? true;
      const revision = intFlag(flags.revision, 'revision') ?? 0;
      if (revision < 0) throw new CliError(`revision must be a positive integer: ${revision}`);
      const timeoutMs = durationFlag(flags.timeout, 'timeout') ?? 0;
      await eachTarget(c, args, (t) => rolloutStatus(c, t, { watch, revision, timeoutMs }));
    });

  rollout
    .command('history')
    .description('View rollout history')
    .argument('[resource...]', 'TYPE/NAME or TYPE NAME')
    .option('--revision <n>', 'see the details, including the pod template, of this revision', '0')
    .action(async (args: string[], flags: { revision: string }) => {
      const c = ctx();
      const revision = intFlag(flags.revision, 'revision') ?? 0;
      if (revision < 0) throw new CliError(`revision must be a positive integer: ${revision}`);
      await eachTarget(c, args, (t) => rolloutHistory(c, t, revision));
    });

  rollout
    .command('undo')
    .description('Undo a previous rollout')
    .argument('[resource...]', 'TYPE/NAME or TYPE NAME')
    .option('--to-revision <n>', 'the revision to roll back to (0: the previous one)', '0')
    .action(async (args: string[], flags: { toRevision: string }) => {
      const c = ctx();
      const toRevision = intFlag(flags.toRevision, 'to-revision') ?? 0;
      await eachTarget(c, args, (t) => rolloutUndo(c, t, toRevision));
    });

  rollout
    .command('restart')
    .description('Restart a resource: its pods are replaced by a rollout')
    .argument('[resource...]', 'TYPE/NAME or TYPE NAME')
    .action(async (args: string[]) => {
      const c = ctx();
      await eachTarget(c, args, (t) => rolloutRestart(c, t));
    });

  rollout
    .command('pause')
    .description('Mark the provided resource as paused')
    .argument('[resource...]', 'TYPE/NAME or TYPE NAME')
    .action(async (args: string[]) => {
      const c = ctx();
      await eachTarget(c, args, (t) => setPaused(c, t, true));
    });

  rollout
    .command('resume')
    .description('Resume a paused resource')
    .argument('[resource...]', 'TYPE/NAME or TYPE NAME')
    .action(async (args: string[]) => {
      const c = ctx();
      await eachTarget(c, args, (t) => setPaused(c, t, false));
    });
}

// ---- status

function viewerFor(t: Target): (obj: unknown, revision: number) => RolloutState {
  switch (workloadOf(t)) {
    case 'Deployment':
      return (o, r) => deploymentStatus(o as Deployment, r);
    case 'DaemonSet':
      return (o) => daemonSetStatus(o as DaemonSet);
    case 'StatefulSet':
      return (o) => statefulSetStatus(o as StatefulSet);
    default:
      throw new CliError(`no status viewer has been implemented for ${groupKind(t.info)}`);
  }
}

async function rolloutStatus(c: CommandContext, t: Target, o: { watch: boolean; revision: number; timeoutMs: number }): Promise<void> {
  const res = c.client().resource(t.info).namespace(c.namespace());
  await res.get(t.name);
  const viewer = viewerFor(t);
  const step = (obj: unknown): boolean => {
    const state = viewer(obj, o.revision);
    c.out.write(state.message);
    return state.done || !o.watch;
  };
  const outcome = await untilWithSync(
    res,
    t.name,
    {
      synced: (obj) => {
        if (obj === undefined) throw new NotFoundError({ group: t.info.group, resource: t.info.resource, name: t.name });
        return step(obj);
      },
      changed: (type, obj) => {
        if (type === 'DELETED') throw new CliError('object has been deleted');
        return step(obj);
      },
    },
    { clock: c.clock, timeoutMs: o.timeoutMs },
  );
  if (outcome !== 'done') throw new CliError('timed out waiting for the condition');
}

// ---- history

/** Revisions of a workload, by number (a later duplicate wins, as in kubectl's map). */
async function historyOf(client: RestClient, t: Target, ns: string): Promise<{ object: Deployment | StatefulSet | DaemonSet; revisions: Revision[] }> {
  switch (workloadOf(t)) {
    case 'Deployment': {
      const d = await client.resource('apps/v1', 'Deployment').namespace(ns).get(t.name);
      return { object: d, revisions: await deploymentRevisions(client, d) };
    }
    case 'StatefulSet': {
      const s = await client.resource('apps/v1', 'StatefulSet').namespace(ns).get(t.name);
      return { object: s, revisions: (await controllerRevisions(client, s)).map((r) => r.revision) };
    }
    case 'DaemonSet': {
      const s = await client.resource('apps/v1', 'DaemonSet').namespace(ns).get(t.name);
      return { object: s, revisions: (await controllerRevisions(client, s)).map((r) => r.revision) };
    }
    default:
      await client.resource(t.info).namespace(ns).get(t.name);
      throw new CliError(`no history viewer has been implemented for "${groupKind(t.info)}"`);
  }
}

async function rolloutHistory(c: CommandContext, t: Target, revision: number): Promise<void> {
  const { revisions } = await historyOf(c.client(), t, c.namespace());
  const byNumber = new Map<number, Revision>();
  for (const r of revisions) byNumber.set(r.revision, r);
  const name = objectName(t.info, t.name);
  if (revision > 0) {
    const r = byNumber.get(revision);
    if (r === undefined) throw new CliError('unable to find the specified revision');
    let template: PodTemplateSpec | undefined = r.template;
    if (workloadOf(t) === 'Deployment' && r.changeCause) {
      // As kubectl: the ReplicaSet's change-cause is shown among the template's annotations.
      template = structuredClone(r.template ?? {});
      template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [changeCauseAnnotation]: r.changeCause } };
    }
    c.out.write(`${name} with revision #${revision}\n${describePodTemplate(template)}\n`);
    return;
  }
  if (byNumber.size === 0) {
    c.out.write(`${name} \nNo rollout history found.\n`);
    return;
  }
  const rows = [['REVISION', 'CHANGE-CAUSE'], ...[...byNumber.values()].sort((a, b) => a.revision - b.revision).map((r) => [String(r.revision), r.changeCause || '<none>'])];
  c.out.write(`${name} \n${table(rows, { minWidth: 0, padding: 2 })}\n`);
}

// ---- undo

const revisionNotFound = (r: number): CliError => new CliError(`unable to find specified revision ${r} in history`);

async function rolloutUndo(c: CommandContext, t: Target, toRevision: number): Promise<void> {
  const client = c.client();
  const ns = c.namespace();
  const kind = workloadOf(t);
  if (kind === undefined) {
    await client.resource(t.info).namespace(ns).get(t.name);
    throw new CliError(`no rollbacker has been implemented for "${groupKind(t.info)}"`);
  }
  const name = objectName(t.info, t.name);
  const current = await client.resource(t.info).namespace(ns).get(t.name);
  if (current.metadata?.annotations?.[lastAppliedAnnotation] !== undefined) {
    c.err.write(
      `Warning: resource ${groupResource(t.info)}/${t.name} was previously managed with 'keelctl apply'. Rolling back will not update the ${lastAppliedAnnotation} annotation, which may cause unexpected behavior on future 'keelctl apply' operations. Consider using 'keelctl apply' with your previous configuration file instead.\n`,
    );
  }
  if (toRevision < 0) throw revisionNotFound(toRevision);
  const result = kind === 'Deployment' ? await undoDeployment(client, ns, t.name, toRevision) : await undoWithControllerRevisions(client, ns, t, kind, toRevision);
  c.out.write(`${name} ${result}\n`);
}

async function undoDeployment(client: RestClient, ns: string, name: string, toRevision: number): Promise<string> {
  const deployments = client.resource('apps/v1', 'Deployment').namespace(ns);
  const d = await deployments.get(name);
  const revisions = await deploymentRevisions(client, d);
  let target: Revision | undefined;
  if (toRevision > 0) {
    target = revisions.find((r) => r.revision === toRevision);
    if (target === undefined) throw revisionNotFound(toRevision);
  } else {
    // The newest revision is the one running; roll back to the one before it.
    target = revisions.length >= 2 ? revisions[revisions.length - 2] : undefined;
    if (target === undefined) throw new CliError(`no rollout history found for deployment "${name}"`);
  }
  if (d.spec?.paused === true) throw new CliError("you cannot rollback a paused deployment; resume it first with 'keelctl rollout resume' and try again");
  if (equalIgnoreHash(target.template, d.spec?.template)) return `skipped rollback (current template already matches revision ${target.revision})`;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (annotationsToSkip.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(target.source.annotations)) if (!annotationsToSkip.has(k)) annotations[k] = v;
  const patch: JsonPatchOperation[] = [
    { op: 'replace', path: '/spec/template', value: withoutHash(target.template) },
    // `add` sets the member whether or not the Deployment has annotations yet (RFC 6902 §4.1).
    { op: 'add', path: '/metadata/annotations', value: annotations },
  ];
  await deployments.patch(name, 'json', patch);
  return 'rolled back';
}

async function undoWithControllerRevisions(client: RestClient, ns: string, t: Target, kind: 'StatefulSet' | 'DaemonSet', toRevision: number): Promise<string> {
  const res = kind === 'StatefulSet' ? client.resource('apps/v1', 'StatefulSet').namespace(ns) : client.resource('apps/v1', 'DaemonSet').namespace(ns);
  const owner = await res.get(t.name);
  const history = await controllerRevisions(client, owner);
  if (toRevision === 0 && history.length <= 1) throw new CliError('no last revision to roll back to');
  const target = toRevision === 0 ? history[history.length - 2] : history.find((h) => h.revision.revision === toRevision);
  if (target === undefined) throw revisionNotFound(toRevision);
  if (sameTemplate(target.revision.template, owner.spec?.template)) {
    return `skipped rollback (current template already matches revision ${target.revision.revision})`;
  }
  await res.patch(t.name, 'strategic', target.object.data ?? {});
  return 'rolled back';
}

// ---- restart, pause, resume

async function rolloutRestart(c: CommandContext, t: Target): Promise<void> {
  const kind = workloadOf(t);
  const res = c.client().resource(t.info).namespace(c.namespace());
  const obj = (await res.get(t.name)) as Deployment | StatefulSet | DaemonSet;
  const subject = `${groupResource(t.info)} "${t.name}"`;
  if (kind === undefined) throw new CliError(`${subject} restarting is not supported`);
  if (kind === 'Deployment' && (obj as Deployment).spec?.paused === true) throw new CliError(`${subject} can't restart paused deployment (run rollout resume first)`);
  const now = rfc3339(c.clock.now());
  if (obj.spec?.template.metadata?.annotations?.[restartedAtAnnotation] === now) {
    throw new CliError(`failed to create patch for ${t.name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`);
  }
  await res.patch(t.name, 'strategic', { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: now } } } } });
  c.out.write(`${objectName(t.info, t.name)} restarted\n`);
}

async function setPaused(c: CommandContext, t: Target, paused: boolean): Promise<void> {
  const res = c.client().resource(t.info).namespace(c.namespace());
  const obj = (await res.get(t.name)) as Deployment;
  const subject = `${groupResource(t.info)} "${t.name}"`;
  if (workloadOf(t) !== 'Deployment') throw new CliError(`${subject} ${paused ? 'pausing' : 'resuming'} is not supported`);
  if ((obj.spec?.paused === true) === paused) throw new CliError(`${subject} ${paused ? 'is already paused' : 'is not paused'}`);
  await res.patch(t.name, 'strategic', { spec: { paused: paused ? true : null } });
  c.out.write(`${objectName(t.info, t.name)} ${paused ? 'paused' : 'resumed'}\n`);
}
