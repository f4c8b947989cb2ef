// Starts the controller-manager for the rollout benchmark in its own Node process and stops it again.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ControllerManagerChildMessage } from './controller-manager-child';

export interface ControllerManagerHandle {
  pid: number;
  /** Stops the child (SIGTERM, SIGKILL after 10 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** The controller-manager child did not start. */
export class ControllerManagerStartError extends Error {}

/** Forks `controller-manager-child.js` against `url` running `controllers`; resolves once its caches synced. */
export async function startControllerManager(url: string, controllers: readonly string[], nodeArgs: string[], timeoutMs = 60_000): Promise<ControllerManagerHandle> {
  const child = fork(join(__dirname, 'controller-manager-child.js'), [url, controllers.join(',')], { execArgv: nodeArgs, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      hasExited = true;
      resolve();
    });
    child.once('error', () => {
      if (child.pid === undefined) {
        hasExited = true;
        resolve();
      }
    });
  });
  const killOnExit = (): void => {
    if (!hasExited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!hasExited) child.kill('SIGTERM');
      const timer = setTimeout(killOnExit, 10_000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
    })();
    return stopping;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ControllerManagerStartError(`the controller-manager did not start within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (m: ControllerManagerChildMessage) => {
        clearTimeout(timer);
        if (m.type === 'started') resolve();
        else reject(new ControllerManagerStartError(`the controller-manager failed to start:\n${m.message}`));
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new ControllerManagerStartError('the controller-manager child exited during startup'));
      });
    });
    if (child.pid === undefined) throw new ControllerManagerStartError('the controller-manager child has no pid');
    return { pid: child.pid, stop };
  } catch (err: unknown) {
    await stop();
    throw err;
  }
}
