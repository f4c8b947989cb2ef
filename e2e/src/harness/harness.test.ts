// Unit tests of the harness's building blocks: daemons and process trees, polling, HTTP probing, address picking, netns commands.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeClusterOctet } from './cluster';
import { inNetns } from './net';
import { get } from './poller';
import { CommandFailedError, pidsWithArg, run, startDaemon, until } from './proc';

const dir = mkdtempSync(join(tmpdir(), 'keelson-harness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startDaemon', () => {
  it('stops the whole process group, children included', async () => {
    const marker = join(dir, 'marker-group');
    const child = `${process.execPath} -e 'setTimeout(() => undefined, 300000)' ${marker}`;
    // The shell (marker as its $0) and its two children all carry the marker on their command lines.
    const d = startDaemon('tree', 'sh', ['-c', `${child} & ${child}; wait`, marker], join(dir, 'tree.log'));
    await until('both sleeps', async () => (pidsWithArg(marker).length === 3 ? true : undefined), 5000, 50);
    await d.stop(2000);
    expect(d.hasExited()).toBe(true);
    await until('no process left', async () => (pidsWithArg(marker).length === 0 ? true : undefined), 5000, 50);
  });

  it('reports how the leader exited', async () => {
    const d = startDaemon('fails', 'sh', ['-c', 'echo oops; exit 7'], join(dir, 'fails.log'));
    expect(await d.exited).toEqual({ code: 7, signal: null });
  });
});

describe('run', () => {
  it('resolves with stdout and rejects with the output of a failing command', async () => {
    expect((await run('sh', ['-c', 'cat'], { input: 'hi' })).stdout).toBe('hi');
    const err = await run('sh', ['-c', 'echo bad >&2; exit 3']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).code).toBe(3);
    expect((err as CommandFailedError).stderr).toBe('bad\n');
  });
});

describe('until', () => {
  it('returns the first defined value', async () => {
    let n = 0;
    expect(await until('three', async () => (++n === 3 ? n : undefined), 5000, 1)).toBe(3);
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(until('the moon', async () => {
      throw new Error('still night');
    }, 50, 10)).rejects.toThrow(/waiting for the moon: still night/);
  });
});

describe('get', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/ok' ? 200 : 503;
      res.end(req.url === '/ok' ? 'hello\n' : 'no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('returns the trimmed body of a 200 and rejects anything else', async () => {
    expect(await get(`${base}/ok`)).toBe('hello');
    await expect(get(`${base}/down`)).rejects.toThrow('HTTP 503');
  });
});

describe('addresses and namespaces', () => {
  it('picks a cluster CIDR octet nothing routes yet', () => {
    const used = Array.from({ length: 79 }, (_, i) => `10.${160 + i}.0.0/16`);
    expect(freeClusterOctet(used)).toBe(239);
    expect(() => freeClusterOctet([...used, '10.239.3.0/24'])).toThrow(/no free address range/);
  });

  it('enters only the network namespace (so /sys/fs/cgroup stays visible)', () => {
    expect(inNetns('ke2e-ab-w1', 'bash', ['node.sh'])).toEqual(['nsenter', ['--net=/run/netns/ke2e-ab-w1', '--', 'bash', 'node.sh']]);
  });
});
