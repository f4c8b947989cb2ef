// Unit tests for the execFile command runner: output capture, stdin, and errors that carry stderr and exit code.
import { CommandError, ExecFileRunner } from './exec';

describe('ExecFileRunner', () => {
  const runner = new ExecFileRunner(5000);

  it('returns stdout and passes stdin', async () => {
    await expect(runner.run('cat', [], { input: 'hello' })).resolves.toEqual({ stdout: 'hello', stderr: '' });
  });

  it('does not interpret arguments through a shell', async () => {
    const r = await runner.run('echo', ['$HOME', ';', 'ls']);
    expect(r.stdout).toBe('$HOME ; ls\n');
  });

  it('reports exit code and stderr of a failed command', async () => {
    const err: unknown = await runner.run('ls', ['/definitely/not/here']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const ce = err as CommandError;
    expect(ce.exitCode).toBe(2);
    expect(ce.stderr).toMatch(/No such file or directory/);
    expect(ce.message).toMatch(/^ls \/definitely\/not\/here exited 2: .*No such file/);
  });

  it('reports a missing program as a CommandError without exit code', async () => {
    const err: unknown = await runner.run('/no/such/program', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).exitCode).toBeNull();
  });
});
