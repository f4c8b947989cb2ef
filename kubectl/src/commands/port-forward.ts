// `keelctl port-forward POD [LOCAL:]REMOTE…`: local TCP ports forwarded to a pod's ports, one pods/portforward WebSocket per connection.
import * as net from 'node:net';
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { getPod } from '../ops/pods';
import { frame, openStream } from '../ops/stream';

interface ForwardFlags {
  address: string;
}

export interface PortPair {
  local: number;
  remote: number;
}

/** `8080:80`, `80` (same port locally) and `:80` (any free local port), as kubectl parses them. */
export function parsePortPair(spec: string): PortPair {
  const parts = spec.split(':');
  const port = (s: string, what: string): number => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || n > 65535 || (what === 'remote' && n === 0)) throw new CliError(`Error parsing ${what} port '${s}': must be a number between ${what === 'remote' ? 1 : 0} and 65535`);
    return n;
  };
  if (parts.length === 1) return { local: port(spec, 'local'), remote: port(spec, 'remote') };
  if (parts.length !== 2) throw new CliError(`invalid port format '${spec}'`);
  return { local: parts[0] === '' ? 0 : port(parts[0] ?? '', 'local'), remote: port(parts[1] ?? '', 'remote') };
}

/** Pipes one accepted connection through its own WebSocket: channel 0 data, channel 1 errors, each opened by a 2-byte port header. */
async function forward(c: CommandContext, path: string, conn: net.Socket, pair: PortPair): Promise<void> {
  const ws = await openStream(c, path, ['v4.channel.k8s.io', 'portforward.k8s.io']);
  const headerSeen = [false, false];
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    if (!isBinary || raw.length === 0) return;
    const channel = raw[0] ?? 0;
    let data = raw.subarray(1);
    if (channel > 1) return;
    if (!headerSeen[channel]) {
      headerSeen[channel] = true;
      data = data.subarray(2);
    }
    if (data.length === 0) return;
    if (channel === 0) conn.write(data);
    else c.err.write(`error: an error occurred forwarding ${pair.local} -> ${pair.remote}: ${data.toString('utf8')}\n`);
  });
  conn.on('data', (b: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(0, b));
  });
  conn.on('close', () => ws.close(1000));
  conn.on('error', () => ws.close(1000));
  ws.on('close', () => conn.end());
  ws.on('error', () => conn.destroy());
  ws.resume();
}

export function registerPortForward(program: Command, ctx: () => CommandContext): void {
  program
    .command('port-forward')
    .description('Forward one or more local ports to a pod')
    .argument('<pod>', 'POD, pod/POD or TYPE/NAME')
    .argument('<ports...>', '[LOCAL_PORT:]REMOTE_PORT')
    .option('--address <addresses>', 'addresses to listen on (comma separated)', 'localhost')
    .action(async (podArg: string, specs: string[], flags: ForwardFlags) => {
      const c = ctx();
      const pairs = specs.map(parsePortPair);
      const pod = await getPod(c, podArg);
      const name = pod.metadata?.name ?? '';
      if (pod.status?.phase !== 'Running') throw new CliError(`unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Unknown'}`);
      const hosts = flags.address.split(',').map((a) => a.trim()).flatMap((a) => (a === 'localhost' ? ['127.0.0.1', '::1'] : [a]));
      const servers: net.Server[] = [];
      for (const pair of pairs) {
        const path = `/api/v1/namespaces/${encodeURIComponent(c.namespace())}/pods/${encodeURIComponent(name)}/portforward?ports=${pair.remote}`;
        let local = pair.local;
        for (const host of hosts) {
          const server = net.createServer((conn) => {
            c.out.write(`Handling connection for ${local}\n`);
            forward(c, path, conn, { local, remote: pair.remote }).catch((e: unknown) => {
              c.err.write(`error: an error occurred forwarding ${local} -> ${pair.remote}: ${(e as Error).message}\n`);
              conn.destroy();
            });
          });
          const ok = await new Promise<boolean>((resolve) => {
            server.once('error', () => resolve(false));
            server.listen(local, host, () => resolve(true));
          });
          // kubectl skips an address family the machine lacks (no ::1) as long as one listener works.
          if (!ok) continue;
          local = (server.address() as net.AddressInfo).port;
          servers.push(server);
          c.out.write(`Forwarding from ${host.includes(':') ? `[${host}]` : host}:${local} -> ${pair.remote}\n`);
        }
        if (!servers.some((s) => (s.address() as net.AddressInfo | null)?.port === local)) throw new CliError(`unable to listen on port ${pair.local}: all listeners failed to create`);
      }
      // Runs until interrupted, as kubectl does.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          for (const s of servers) s.close();
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
