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

  it('offers the node components with their flags', () => {
    expect(run(['proxy', '--help']).out).toContain('--cleanup');
    expect(run(['kubelet', '--help']).out).toContain('--chain-prefix');
    expect(run(['shim', '--help']).out).toContain('--cleanup');
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
