// Integration: sandbox holders share net/ipc/uts (and pid) with their containers; containers join v1 cgroups and get OOM-killed.
import { mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { HelperHarness, removeSharedBusyboxLayer } from '../testing';

const h = new HelperHarness();
const out = HelperHarness.out;
afterEach(() => h.cleanup());
afterAll(() => removeSharedBusyboxLayer());

const waitFor = async (cond: () => Promise<boolean>, ms = 10000): Promise<void> => {
  for (const end = Date.now() + ms; !(await cond()); ) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('containers of a sandbox see the pod hostname and share its net/ipc/uts namespaces, which differ from the host', async () => {
  const sb = await h.sandbox();
  expect(await readFile(`${sb.stateDir}/pid`, 'utf8')).toBe(String(sb.pid));
  const a = await h.start({ ...HelperHarness.joining(sb), args: ['sh', '-c', 'hostname; exec sleep 30'] });
  const b = await h.start({ ...HelperHarness.joining(sb), args: ['sleep', '30'] });
  await waitFor(async () => out(await h.log(a)).length > 0);
  expect(out(await h.log(a))).toEqual([sb.hostname]);
  expect(sb.hostname).not.toBe(hostname());
  for (const ns of ['net', 'ipc', 'uts']) {
    const host = await readlink(`/proc/self/ns/${ns}`);
    const na = await readlink(`/proc/${a.pid}/ns/${ns}`);
    expect(na).toBe(await readlink(`/proc/${b.pid}/ns/${ns}`));
    expect(na).toBe(await readlink(`/proc/${sb.pid}/ns/${ns}`));
    expect(na).not.toBe(host);
  }
  expect((await stat(`/proc/${sb.pid}/ns/net`)).ino).toBe((await stat(sb.netns)).ino);
  // Without share_pid each container has its own pid namespace.
  expect(await readlink(`/proc/${a.pid}/ns/pid`)).not.toBe(await readlink(`/proc/${b.pid}/ns/pid`));
});

test('with share_pid the holder is pid 1, containers see each other, and SIGTERM ends a container with signal 15', async () => {
  const sb = await h.sandbox({ sharePid: true });
  const join = HelperHarness.joining(sb, true);
  const sleeper = await h.start({ ...join, args: ['sleep', '31'] });
  const { exit, log } = await h.runToExit({ ...join, args: ['sh', '-c', 'echo $$; ps -o pid,args'] });
  expect(exit.exitCode).toBe(0);
  const lines = out(log);
  expect(lines[0]).not.toBe('1');
  expect(lines.some((l) => /^\s*1\s/.test(l))).toBe(true);
  expect(lines.some((l) => /sleep 31/.test(l))).toBe(true);
  expect(await readlink(`/proc/${sleeper.pid}/ns/pid`)).toBe(await readlink(`/proc/${sb.pid}/ns/pid`));
  // Not pid 1 of its namespace, so SIGTERM's default action applies (a pid-1 container ignores it, as in Docker).
  process.kill(sleeper.pid, 'SIGTERM');
  expect(await h.helper.waitExit(sleeper.dirs.state, 10000)).toMatchObject({ signal: 15, exitCode: 143 });
});

test('a container joins the given v1 memory cgroup and is OOM-killed over its limit', async () => {
  const cg = await h.makeCgroupV1('memory', { 'memory.limit_in_bytes': String(32 * 1024 * 1024) });
  const c = await h.start({ cgroups: [cg], args: ['sh', '-c', 'read x; x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'], stdin: true });
  const procs = (await readFile(`${cg}/cgroup.procs`, 'utf8')).split('\n');
  expect(procs).toContain(String(c.pid));
  const { open } = await import('node:fs/promises');
  const fifo = await open(`${c.dirs.state}/stdin`, 'w');
  await fifo.write('go\n');
  await fifo.close();
  const exit = await h.helper.waitExit(c.dirs.state, 20000);
  expect(exit).toMatchObject({ signal: 9, exitCode: 137 });
  expect(out(await h.log(c))).not.toContain('survived');
  expect(await readFile(`${cg}/memory.oom_control`, 'utf8')).toMatch(/oom_kill [1-9]/);
});

test('the sandbox holder joins its cgroups and exits on SIGTERM', async () => {
  const cg = await h.makeCgroupV1('pids');
  const sb = await h.sandbox({ cgroups: [cg] });
  expect((await readFile(`${cg}/cgroup.procs`, 'utf8')).split('\n')).toContain(String(sb.pid));
  process.kill(sb.pid, 'SIGTERM');
  await waitFor(async () => {
    const stat = await readFile(`/proc/${sb.pid}/stat`, 'utf8').catch(() => 'x x Z');
    return stat.split(' ')[2] === 'Z';
  });
});

test('on cgroup v2 the holder and the container are born in their cgroups (clone3 CLONE_INTO_CGROUP), not moved there', async () => {
  const holderCg = await h.makeCgroupV2();
  const containerCg = await h.makeCgroupV2();
  const traceDir = await mkdtemp(path.join(tmpdir(), 'keelson-trace-'));
  const trace = path.join(traceDir, 'helper.trace');
  const traced = new HelperHarness({ env: { ...process.env, KEELSON_HELPER_TRACE: trace } });
  try {
    const sb = await traced.sandbox({ cgroups: [holderCg] });
    const c = await traced.start({ ...HelperHarness.joining(sb), cgroups: [containerCg], args: ['sleep', '30'] });
    expect((await readFile(`${holderCg}/cgroup.procs`, 'utf8')).split('\n')).toContain(String(sb.pid));
    expect((await readFile(`${containerCg}/cgroup.procs`, 'utf8')).split('\n')).toContain(String(c.pid));
    expect(await readFile(`/proc/${c.pid}/cgroup`, 'utf8')).toContain(`0::/${path.basename(containerCg)}\n`);
    const lines = (await readFile(trace, 'utf8')).split('\n');
    expect(lines.filter((l) => l.endsWith(' clone3: born in its cgroup'))).toHaveLength(2);
  } finally {
    await traced.cleanup();
    await rm(traceDir, { recursive: true, force: true });
  }
});
