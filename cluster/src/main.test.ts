// The launcher's command line: subcommands, version, and clear failures.
import { CommanderError } from 'commander';
import { buildProgram } from './main';

function run(args: string[]): { out: string; err: string; code: number } {
  let out = '';
  let err = '';
  const program = buildProgram(
    (s) => (out += s),
    (s) => (err += s),
  );
  try {
    program.parse(args, { from: 'user' });
    return { out, err, code: 0 };
  } catch (e: unknown) {
    if (e instanceof CommanderError) return { out, err: err + e.message, code: e.exitCode };
    throw e;
  }
}

describe('keelson launcher', () => {
  it('prints its version', () => {
    expect(run(['version'])).toMatchObject({ out: 'keelson 0.1.0\n', code: 0 });
  });

  it('lists one subcommand per component in its help', () => {
    const { out } = run(['--help']);
    for (const c of ['apiserver', 'scheduler', 'controller-manager', 'kubelet', 'proxy', 'server', 'agent']) {
      expect(out).toContain(c);
    }
  });

  it('fails with a clear message and status 1 for a component not built yet', () => {
    const r = run(['proxy']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('keelson proxy: not available in this build yet');
  });

  it('requires --server of keelson agent, and offers token create', () => {
    expect(run(['agent', '--token', 'K10x::y']).err).toContain("required option '--server <url>' not specified");
    expect(run(['token', '--help']).out).toContain('create');
    expect(run(['token', 'create', '--ttl', 'soon']).code).not.toBe(0);
  });

  it('rejects an unknown subcommand', () => {
    const r = run(['frobnicate']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });
});
