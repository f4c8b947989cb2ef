// `keelson shim` / `node kubelet/dist/shim/main.js`: runs the runtime shim until SIGTERM or SIGINT (containers keep running).
import { parseArgs } from 'node:util';
import { startShim } from './shim';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: '/var/lib/keelson/kubelet/shim' },
      socket: { type: 'string' },
      'cgroup-root': { type: 'string' },
      bridge: { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'pod-cidr': { type: 'string' },
      'chain-prefix': { type: 'string' },
    },
    strict: true,
  });
  const shim = await startShim({
    root: values.root,
    ...(values.socket !== undefined ? { socket: values.socket } : {}),
    ...(values['cgroup-root'] !== undefined ? { cgroupRoot: values['cgroup-root'] } : {}),
    ...(values.bridge !== undefined ? { bridge: values.bridge } : {}),
    ...(values['cluster-cidr'] !== undefined ? { clusterCIDR: values['cluster-cidr'] } : {}),
    ...(values['pod-cidr'] !== undefined ? { podCIDR: values['pod-cidr'] } : {}),
    ...(values['chain-prefix'] !== undefined ? { chainPrefix: values['chain-prefix'] } : {}),
  });
  const stop = (): void => {
    void shim.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`keelson shim: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
