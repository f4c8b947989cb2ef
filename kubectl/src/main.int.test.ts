// keelctl against a real API server: global flags, version, and how errors are reported.
import { startTestServer, testBackends, type TestServer } from '@keelson/apiserver';
import { keelctl, writeKubeconfig } from './testing';

describe.each(testBackends())('keelctl basics on $name', ({ uri }) => {
  let srv: TestServer;
  let kc: { path: string; cleanup: () => void };

  beforeAll(async () => {
    const { uri: storage, cleanup } = uri();
    srv = await startTestServer(storage, cleanup);
    kc = writeKubeconfig(srv.url);
  });
  afterAll(async () => {
    kc?.cleanup();
    await srv?.stop();
  });

  it('prints client and server versions', async () => {
    const r = await keelctl(kc.path, ['version']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe('Client Version: v0.1.0\nServer Version: v1.30.0-keelson\n');
  });

  it('prints only the client version with --client, without a server', async () => {
    const r = await keelctl('/nonexistent/kubeconfig', ['version', '--client']);
    expect(r).toEqual({ code: 0, out: 'Client Version: v0.1.0\n', err: '' });
  });

  it('fails with one line and exit 1 when the kubeconfig cannot be read', async () => {
    const r = await keelctl(kc.path, ['version', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^error: .*\/nonexistent\/kubeconfig/);
  });

  it('rejects an unknown command', async () => {
    const r = await keelctl(kc.path, ['frobnicate']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });
});
