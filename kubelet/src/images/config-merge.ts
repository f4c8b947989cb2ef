// Merges an image's config with a container spec by Kubernetes' rules (command/args vs Entrypoint/Cmd, env, workingDir, user).
import type { ContainerConfig } from './oci';

/** The parts of a Kubernetes container spec (plus its security context) that override the image config. */
export interface ContainerOverrides {
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  workingDir?: string;
  /** securityContext.runAsUser */
  runAsUser?: number;
  /** securityContext.runAsGroup */
  runAsGroup?: number;
  /** CRI run_as_username (a name resolved in the container's /etc/passwd by the runtime). */
  runAsUsername?: string;
}

/** What the runtime needs to start the process. */
export interface MergedProcessConfig {
  /** argv[0] is the executable (resolved against PATH by the runtime). */
  argv: string[];
  /** `NAME=value`, image env first, container env overriding by name. */
  env: string[];
  workingDir: string;
  /** `uid`, `uid:gid`, `name` or `name:group` as in the image config `User`; empty means root. */
  user: string;
  exposedPorts: string[];
}

export class NoCommandError extends Error {
  constructor() {
    super('no command specified: neither the container (command/args) nor the image (Entrypoint/Cmd) sets one');
    this.name = 'NoCommandError';
  }
}

/**
 * Kubernetes/containerd rules (containerd's `WithProcessArgs`, from moby's commit.go):
 * - `command` set: it replaces the image Entrypoint and the image Cmd is dropped; `args` (if any) follow it.
 * - only `args` set: the image Entrypoint stays, `args` replace the image Cmd.
 * - neither: Entrypoint + Cmd of the image.
 * `$(VAR)` references in command and args are expanded from the container's env (kubelet's
 * `ExpandContainerCommandAndArgs`); `$$(VAR)` escapes to a literal `$(VAR)`.
 */
export function mergeConfig(image: ContainerConfig | undefined, container: ContainerOverrides): MergedProcessConfig {
  const img = image ?? {};
  const containerEnv = container.env ?? [];
  const vars = new Map(containerEnv.map((e) => [e.name, e.value] as const));
  const expand = (xs: string[]): string[] => xs.map((x) => expandVars(x, vars));

  let command = container.command !== undefined && container.command.length > 0 ? expand(container.command) : [];
  let args = container.args !== undefined && container.args.length > 0 ? expand(container.args) : [];
  if (command.length === 0) {
    if (args.length === 0) args = [...(img.Cmd ?? [])];
    const ep = img.Entrypoint ?? [];
    // An Entrypoint of [""] is how images reset an inherited entrypoint.
    command = ep.length === 1 && ep[0] === '' ? [] : [...ep];
  }
  const argv = [...command, ...args];
  if (argv.length === 0) throw new NoCommandError();

  return {
    argv,
    env: mergeEnv(img.Env ?? [], containerEnv),
    workingDir: container.workingDir !== undefined && container.workingDir !== '' ? container.workingDir : img.WorkingDir || '/',
    user: mergeUser(img.User ?? '', container),
    exposedPorts: Object.keys(img.ExposedPorts ?? {}),
  };
}

/** Image env then container env; a container variable replaces the image one of the same name in place. */
export function mergeEnv(imageEnv: string[], containerEnv: Array<{ name: string; value: string }>): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  const put = (name: string, kv: string): void => {
    const i = index.get(name);
    if (i === undefined) {
      index.set(name, out.length);
      out.push(kv);
    } else {
      out[i] = kv;
    }
  };
  for (const kv of imageEnv) {
    const eq = kv.indexOf('=');
    put(eq < 0 ? kv : kv.slice(0, eq), kv);
  }
  for (const e of containerEnv) put(e.name, `${e.name}=${e.value}`);
  return out;
}

// runAsUser (+ runAsGroup) beats runAsUsername beats the image's User; a group alone keeps the image user.
function mergeUser(imageUser: string, c: ContainerOverrides): string {
  const group = c.runAsGroup !== undefined ? `:${c.runAsGroup}` : '';
  if (c.runAsUser !== undefined) return `${c.runAsUser}${group}`;
  if (c.runAsUsername !== undefined && c.runAsUsername !== '') return `${c.runAsUsername}${group}`;
  if (group !== '') return `${imageUser.split(':')[0] || '0'}${group}`;
  return imageUser;
}

/** Kubernetes `$(VAR)` expansion: known names are replaced, unknown ones kept verbatim, `$$` is a literal `$`. */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = vars.get(name);
      out += value ?? `$(${name})`;
      i = close + 1;
    } else {
      out += '$' + next;
      i += 2;
    }
  }
  return out;
}
