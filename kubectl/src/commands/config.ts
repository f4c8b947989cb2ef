// `keelctl config view|get-contexts|current-context|use-context`: read and switch kubeconfig files, as kubectl does.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { dump, load } from 'js-yaml';
import { loadKubeconfig, type Kubeconfig } from '@keelson/client';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { table } from '../ops/format';

type Obj = Record<string, unknown>;

/** One named entry (`clusters[]`, `users[]`, `contexts[]`) as written in its file. */
interface RawEntry {
  name: string;
  body: Obj;
}

interface RawConfig {
  clusters: Map<string, RawEntry>;
  users: Map<string, RawEntry>;
  contexts: Map<string, RawEntry>;
  currentContext: string;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The merged kubeconfig (the client's own loader: same files, same precedence, same errors). */
function loaded(c: CommandContext): Kubeconfig {
  return loadKubeconfig({ env: c.env, ...(c.flags.kubeconfig !== undefined ? { kubeconfig: c.flags.kubeconfig } : {}) });
}

function readDoc(file: string): Obj {
  const doc = load(readFileSync(file, 'utf8'), { filename: file });
  return isObj(doc) ? doc : {};
}

/** Paths in a kubeconfig are relative to its file; kubectl shows them resolved. */
const pathFields = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'];

/** The files' raw entries merged as kubectl merges them: the first file to name an entry wins. */
function rawConfig(files: readonly string[]): RawConfig {
  const out: RawConfig = { clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: '' };
  for (const file of files) {
    const doc = readDoc(file);
    for (const [list, field, into] of [
      ['clusters', 'cluster', out.clusters],
      ['users', 'user', out.users],
      ['contexts', 'context', out.contexts],
    ] as const) {
      const entries = doc[list];
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        if (!isObj(e) || typeof e['name'] !== 'string' || into.has(e['name'])) continue;
        const raw = e[field];
        const body: Obj = isObj(raw) ? { ...raw } : {};
        for (const p of pathFields) {
          const v = body[p];
          if (typeof v === 'string' && v !== '' && !isAbsolute(v)) body[p] = resolve(dirname(resolve(file)), v);
        }
        into.set(e['name'], { name: e['name'], body });
      }
    }
    const cc = doc['current-context'];
    if (out.currentContext === '' && typeof cc === 'string') out.currentContext = cc;
  }
  return out;
}

/** kubectl's RedactSecrets + ShortenConfig: tokens and passwords become REDACTED, certificate and key data DATA+OMITTED. */
function redact(cfg: RawConfig): void {
  const set = (body: Obj, key: string, value: string): void => {
    const v = body[key];
    if (v !== undefined && v !== null && v !== '') body[key] = value;
  };
  for (const e of cfg.clusters.values()) set(e.body, 'certificate-authority-data', 'DATA+OMITTED');
  for (const e of cfg.users.values()) {
    set(e.body, 'client-certificate-data', 'DATA+OMITTED');
    set(e.body, 'client-key-data', 'DATA+OMITTED');
    set(e.body, 'token', 'REDACTED');
    set(e.body, 'password', 'REDACTED');
  }
}

/** kubectl's MinifyConfig: only the current context, its cluster and its user. */
function minify(cfg: RawConfig): void {
  const name = cfg.currentContext;
  if (name === '') throw new CliError('current-context must exist in order to minify');
  const ctx = cfg.contexts.get(name);
  if (ctx === undefined) throw new CliError(`cannot locate context ${name}`);
  const clusterName = typeof ctx.body['cluster'] === 'string' ? ctx.body['cluster'] : '';
  const userName = typeof ctx.body['user'] === 'string' ? ctx.body['user'] : '';
  const cluster = cfg.clusters.get(clusterName);
  if (cluster === undefined) throw new CliError(`cannot locate cluster ${clusterName}`);
  const user = cfg.users.get(userName);
  cfg.contexts = new Map([[name, ctx]]);
  cfg.clusters = new Map([[clusterName, cluster]]);
  cfg.users = user === undefined ? new Map<string, RawEntry>() : new Map([[userName, user]]);
}

function entries(m: Map<string, RawEntry>, field: string): Obj[] | null {
  if (m.size === 0) return null;
  return [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => ({ name: e.name, [field]: e.body }));
}

export function registerConfig(program: Command, ctx: () => CommandContext): void {
  const config = program.command('config').description('Modify kubeconfig files');

  config
    .command('view')
    .description('Display merged kubeconfig settings or a specified kubeconfig file')
    .option('--minify', 'remove all information not used by current-context from the output')
    .option('--raw', 'display raw byte data and sensitive data')
    .option('-o, --output <format>', 'yaml (default) or json', 'yaml')
    .action((flags: { minify?: boolean; raw?: boolean; output: string }) => {
      const c = ctx();
      if (flags.output !== 'yaml' && flags.output !== 'json') throw new CliError(`unable to match a printer suitable for the output format "${flags.output}", allowed formats are: json,yaml`);
      const cfg = rawConfig(loaded(c).sources);
      if (flags.minify) {
        if (c.flags.context !== undefined) cfg.currentContext = c.flags.context;
        minify(cfg);
      }
      if (!flags.raw) redact(cfg);
      const view = {
        apiVersion: 'v1',
        clusters: entries(cfg.clusters, 'cluster'),
        contexts: entries(cfg.contexts, 'context'),
        'current-context': cfg.currentContext,
        kind: 'Config',
        users: entries(cfg.users, 'user'),
      };
      if (flags.output === 'json') {
        const { kind, apiVersion, clusters, users, contexts } = view;
        c.out.write(`${JSON.stringify({ kind, apiVersion, clusters, users, contexts, 'current-context': view['current-context'] }, null, 4)}\n`);
        return;
      }
      c.out.write(dump(view, { sortKeys: true, noArrayIndent: true, lineWidth: -1, quotingType: '"' }));
    });

  config
    .command('get-contexts')
    .description('Describe one or many contexts')
    .argument('[name...]', 'contexts to show (all by default)')
    .option('-o, --output <format>', 'name: only the context names')
    .option('--no-headers', 'do not print headers')
    .action((names: string[], flags: { output?: string; headers?: boolean }) => {
      const c = ctx();
      if (flags.output !== undefined && flags.output !== 'name') throw new CliError(`output must be one of '' or 'name': ${flags.output}`);
      const kc = loaded(c);
      const missing = names.filter((n) => !kc.contexts.has(n));
      const shown = (names.length === 0 ? [...kc.contexts.keys()] : names.filter((n) => kc.contexts.has(n))).sort();
      if (flags.output === 'name') {
        c.out.write(shown.map((n) => `${n}\n`).join(''));
      } else {
        const rows = shown.map((n) => {
          const x = kc.contexts.get(n);
          return [kc.currentContext === n ? '*' : '', n, x?.cluster ?? '', x?.user ?? '', x?.namespace ?? ''];
        });
        const header = ['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'];
        c.out.write(table(flags.headers === false ? rows : [header, ...rows]));
      }
      const last = missing.pop();
      for (const m of missing) c.err.write(`error: context ${m} not found\n`);
      if (last !== undefined) throw new CliError(`context ${last} not found`);
    });

  config
    .command('current-context')
    .description('Display the current-context')
    .action(() => {
      const c = ctx();
      const current = loaded(c).currentContext;
      if (current === undefined || current === '') throw new CliError('current-context is not set');
      c.out.write(`${current}\n`);
    });

  config
    .command('use-context')
    .description('Set the current-context in a kubeconfig file')
    .argument('<name>', 'the context to switch to')
    .action((name: string) => {
      const c = ctx();
      if (name === '') throw new CliError('empty context names are not allowed');
      const kc = loaded(c);
      if (!kc.contexts.has(name)) throw new CliError(`no context exists with the name: ${JSON.stringify(name)}`);
      // The file whose current-context is in effect; with none set, the first file (kubectl's default).
      const file = c.flags.kubeconfig ?? kc.sources.find((f) => {
        const cc = readDoc(f)['current-context'];
        return typeof cc === 'string' && cc !== '';
      }) ?? kc.sources[0];
      if (file === undefined) throw new CliError('no kubeconfig file to write the current context to');
      const doc = readDoc(file);
      doc['current-context'] = name;
      writeFileSync(file, dump(doc, { lineWidth: -1, noArrayIndent: true, quotingType: '"' }));
      c.out.write(`Switched to context ${JSON.stringify(name)}.\n`);
    });
}
