// Unit tests for the file-backed IP allocator over a temp directory: reserved addresses, idempotence, restart, exhaustion.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IpAllocator, IpRangeExhaustedError } from './ipam';

describe('IpAllocator', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keelson-ipam-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('skips network, gateway and broadcast and is idempotent per owner', async () => {
    const a = new IpAllocator({ dir, subnet: '10.42.0.0/29' });
    expect(a.gateway).toBe('10.42.0.1');
    const ips = [];
    for (let i = 0; i < 5; i++) ips.push(await a.allocate(`pod${i}`));
    expect(ips).toEqual(['10.42.0.2', '10.42.0.3', '10.42.0.4', '10.42.0.5', '10.42.0.6']);
    expect(await a.allocate('pod3')).toBe('10.42.0.5');
    await expect(a.allocate('pod9')).rejects.toBeInstanceOf(IpRangeExhaustedError);
  });

  it('never duplicates across a restart and does not reuse a released IP first', async () => {
    const a = new IpAllocator({ dir, subnet: '10.42.0.0/29' });
    const x = await a.allocate('x');
    const y = await a.allocate('y');
    expect(await a.release('x')).toEqual([x]);
    const b = new IpAllocator({ dir, subnet: '10.42.0.0/29' }); // "restart"
    expect(await b.find('y')).toBe(y);
    const z = await b.allocate('z');
    expect([x, y]).not.toContain(z);
    expect(new Set((await b.list()).keys())).toEqual(new Set([y, z]));
  });

  it('hands out distinct IPs to concurrent callers on two instances over one dir', async () => {
    const a = new IpAllocator({ dir, subnet: '10.42.0.0/27' });
    const b = new IpAllocator({ dir, subnet: '10.42.0.0/27' });
    const got = await Promise.all(Array.from({ length: 29 }, (_, i) => (i % 2 ? a : b).allocate(`p${i}`)));
    expect(new Set(got).size).toBe(29);
    await expect(a.allocate('one-too-many')).rejects.toBeInstanceOf(IpRangeExhaustedError);
    const owners = await a.list();
    expect(owners.size).toBe(29);
  });

  it('honours extra reserved addresses and rejects bad owner ids', async () => {
    const a = new IpAllocator({ dir, subnet: '10.9.0.0/30', reserved: ['10.9.0.2'] });
    await expect(a.allocate('../etc')).rejects.toThrow(/invalid IP owner/);
    await expect(a.allocate('only')).rejects.toBeInstanceOf(IpRangeExhaustedError);
    expect(await a.release('nobody')).toEqual([]);
  });
});
