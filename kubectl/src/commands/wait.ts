// `keelctl wait --for=condition=Ready|delete|create|jsonpath='{…}'=value TYPE/NAME…`: blocks until each object meets the conditions.
import type { Command } from 'commander';
import { NotFoundError, type ResourceInfo } from '@keelson/api';
import type { ObjectLike, ResourceClient } from '@keelson/client';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { collect, durationFlag } from '../ops/flags';
import { JsonPathTemplate } from '../jsonpath';
import { objectName, parseTargets } from '../ops/targets';
import { untilWithSync, type Observer } from '../ops/watch';

interface WaitFlags {
  for?: string[];
  timeout: string;
  selector?: string;
  all?: boolean;
}

/** One `--for`: what "met" means for an object. */
type Condition =
  | { kind: 'delete' }
  | { kind: 'create' }
  | { kind: 'condition'; name: string; status: string }
  | { kind: 'jsonpath'; template: JsonPathTemplate; value: string | undefined };

/** kubectl's RelaxedJSONPathExpression: `.status.phase`, `status.phase` and `{.status.phase}` all mean the same. */
function relaxedJsonPath(expr: string): string {
  const e = expr.trim();
  if (e.startsWith('{') && e.endsWith('}')) return e;
  if (e.startsWith('{') || e.endsWith('}')) throw new CliError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return e.startsWith('.') ? `{${e}}` : `{.${e}}`;
}

/** `--timeout` below zero: wait for a week, as kubectl does. */
const forever = 7 * 24 * 3_600_000;

/** Splits `{.a}==b=c` on single `=` only, as kubectl's splitJSONPathInput (a `==` stays inside its part). */
function splitOnSingleEquals(input: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=') {
      if (input[i + 1] === '=') {
        cur += '==';
        i++;
        continue;
      }
      out.push(cur);
      cur = '';
      continue;
    }
    cur += input[i] ?? '';
  }
  out.push(cur);
  return out;
}

export function parseCondition(cond: string): Condition {
  const lower = cond.toLowerCase();
  if (lower === 'delete') return { kind: 'delete' };
  if (lower === 'create') return { kind: 'create' };
  if (cond.startsWith('condition=')) {
    const rest = cond.slice('condition='.length);
    const eq = rest.indexOf('=');
    return eq < 0 ? { kind: 'condition', name: rest, status: 'true' } : { kind: 'condition', name: rest.slice(0, eq), status: rest.slice(eq + 1) };
  }
  if (cond.startsWith('jsonpath=')) {
    const parts = splitOnSingleEquals(cond.slice('jsonpath='.length));
    if (parts.length < 1 || parts.length > 2) {
      throw new CliError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'");
    }
    const expr = parts[0] ?? '';
    if (expr.trim() === '') throw new CliError('jsonpath expression cannot be empty');
    const template = new JsonPathTemplate(relaxedJsonPath(expr));
    if (parts.length === 1) return { kind: 'jsonpath', template, value: undefined };
    const value = (parts[1] ?? '').replace(/^['"]+|['"]+$/g, '');
    if (value === '') throw new CliError("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3");
    return { kind: 'jsonpath', template, value };
  }
  throw new CliError(`unrecognized condition: ${JSON.stringify(cond)}`);
}

/** Whether `obj` meets a status condition, ignoring conditions observed for an older generation. */
function conditionMet(obj: ObjectLike, name: string, status: string): boolean {
  const o = obj as { metadata?: { generation?: number }; status?: { conditions?: unknown; observedGeneration?: number } };
  const conditions = Array.isArray(o.status?.conditions) ? (o.status.conditions as { type?: unknown; status?: unknown; observedGeneration?: unknown }[]) : [];
  for (const c of conditions) {
    if (typeof c.type !== 'string' || c.type.toLowerCase() !== name.toLowerCase()) continue;
    if (typeof c.status !== 'string') continue;
    const generation = o.metadata?.generation;
    const observed = typeof c.observedGeneration === 'number' ? c.observedGeneration : o.status?.observedGeneration;
    if (generation !== undefined && observed !== undefined && observed < generation) return false;
    return c.status.toLowerCase() === status.toLowerCase();
  }
  return false;
}

function jsonPathMet(obj: ObjectLike, template: JsonPathTemplate, value: string | undefined): boolean {
  const results = template.values(obj);
  if (results.length === 0) return false;
  if (results.length > 1) throw new CliError('given jsonpath expression matches more than one value');
  const v = results[0];
  if (value === undefined) return true;
  if (typeof v === 'object' && v !== null) throw new CliError('jsonpath leads to a nested object or list which is not supported');
  return String(v).trim() === value.trim();
}

export function registerWait(program: Command, ctx: () => CommandContext): void {
  program
    .command('wait')
    .description('Wait for a specific condition on one or many resources')
    .argument('[resource...]', 'TYPE/NAME…, or TYPE with -l or --all')
    .option('--for <condition>', 'delete, create, condition=NAME[=VALUE] or jsonpath=\'{EXPR}\'[=VALUE]; repeatable', collect)
    .option('--timeout <duration>', 'how long to wait; 0 checks once, negative waits a week', '30s')
    .option('-l, --selector <selector>', 'label selector')
    .option('--all', 'every object of the type in the namespace')
    .action(async (args: string[], flags: WaitFlags) => {
      const c = ctx();
      const conditions = (flags.for ?? []).map(parseCondition);
      if (conditions.length === 0) throw new CliError('unrecognized condition: []');
      // As kubectl: --for=create is always waited for first.
      conditions.sort((a, b) => (a.kind === 'create' ? 0 : 1) - (b.kind === 'create' ? 0 : 1));
      const timeoutArg = durationFlag(flags.timeout, 'timeout') ?? 30_000;
      const timeoutMs = timeoutArg < 0 ? forever : timeoutArg;
      const deadline = c.clock.now() + timeoutMs;
      const remaining = (): number => deadline - c.clock.now();
      const isDelete = conditions.some((x) => x.kind === 'delete');

      if (args.length === 0) throw new CliError('You must provide one or more resources by argument or filename.');
      const { targets, typeOnly } = parseTargets(args);
      const ns = c.namespace();
      let objects: { info: ResourceInfo; name: string }[] = targets;
      if (typeOnly !== undefined) {
        if (flags.selector === undefined && flags.all !== true) throw new CliError('resource(s) were provided, but no name was specified');
        const list = await c.client().resource(typeOnly).namespace(ns).listAll(flags.selector !== undefined ? { labelSelector: flags.selector } : {});
        objects = list.items.map((o) => ({ info: typeOnly, name: o.metadata?.name ?? '' }));
        if (objects.length === 0 && !isDelete) throw new CliError('no matching resources found');
      }

      for (const { info, name } of objects) {
        const res = c.client().resource(info).namespace(ns);
        const label = objectName(info, name);
        const timedOut = (): CliError => new CliError(`timed out waiting for the condition on ${info.resource}/${name}`);
        let current: ObjectLike | undefined;
        if (conditions.some((x) => x.kind === 'create')) {
          const outcome = await untilWithSync(res, name, { synced: (o) => o !== undefined, changed: (type) => type === 'ADDED' }, { clock: c.clock, timeoutMs: Math.max(remaining(), 1) });
          if (outcome !== 'done') throw new CliError('timed out waiting for the condition');
        }
        try {
          current = await res.get(name);
        } catch (e: unknown) {
          // As kubectl's builder for --for=delete: an object that is already gone is skipped.
          if (isDelete && e instanceof NotFoundError) continue;
          throw e;
        }
        for (const cond of conditions) {
          if (cond.kind === 'create') {
            c.out.write(`${label} condition met\n`);
            continue;
          }
          const met = await waitFor(res, name, current, cond, timeoutMs === 0 ? 0 : remaining(), c);
          if (met === 'not met') throw new CliError(`condition not met for ${label}`);
          if (met === 'timeout') throw timedOut();
          c.out.write(`${label} condition met\n`);
        }
      }
    });
}

/** Waits for one condition on one object; `timeoutMs` 0 checks the object as it is, once. */
async function waitFor(res: ResourceClient, name: string, current: ObjectLike, cond: Exclude<Condition, { kind: 'create' }>, timeoutMs: number, c: CommandContext): Promise<'met' | 'not met' | 'timeout'> {
  const uid = current.metadata?.uid;
  const check = (obj: ObjectLike): boolean => (cond.kind === 'condition' ? conditionMet(obj, cond.name, cond.status) : cond.kind === 'jsonpath' ? jsonPathMet(obj, cond.template, cond.value) : false);
  if (timeoutMs === 0) {
    if (cond.kind === 'delete') return 'not met';
    return check(current) ? 'met' : 'not met';
  }
  if (timeoutMs < 0) return 'timeout';
  const observer: Observer<ObjectLike> =
    cond.kind === 'delete'
      ? {
          synced: (obj) => obj === undefined || obj.metadata?.uid !== uid,
          changed: (type, obj) => type === 'DELETED' || obj.metadata?.uid !== uid,
        }
      : {
          synced: (obj) => {
            if (obj === undefined) throw new NotFoundError({ group: res.info.group, resource: res.info.resource, name });
            return check(obj);
          },
          // A deleted object keeps the wait going: it may come back, or the time runs out.
          changed: (type, obj) => type !== 'DELETED' && check(obj),
        };
  const outcome = await untilWithSync(res, name, observer, { clock: c.clock, timeoutMs });
  return outcome === 'done' ? 'met' : 'timeout';
}
