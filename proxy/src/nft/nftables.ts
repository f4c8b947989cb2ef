// Applies rulesets with `nft -f -` (one atomic transaction per call) and removes the proxy's table.
import { CommandError, runCommand, type Runner } from '../exec';
import { diffScript, emptyRuleset, type Ruleset } from './model';

/** The kernel side of the proxy: what was applied last, and the transaction to the next ruleset. */
export class Nftables {
  private applied: Ruleset = emptyRuleset();
  private needFull = true;

  constructor(
    readonly table: string,
    private readonly run: Runner = runCommand,
    private readonly binary = 'nft',
  ) {}

  /**
   * Brings the kernel to `desired`. Returns the number of script lines sent (0: nothing changed).
   * After a failure the next call rebuilds the whole table.
   */
  async apply(desired: Ruleset, forceFull = false): Promise<{ lines: number; full: boolean }> {
    const full = this.needFull || forceFull;
    const script = diffScript(this.table, this.applied, desired, full);
    if (script === '') return { lines: 0, full };
    try {
      await this.run(this.binary, ['-f', '-'], script);
    } catch (e: unknown) {
      this.needFull = true;
      throw e;
    }
    this.applied = desired;
    this.needFull = false;
    return { lines: script.split('\n').length - 1, full };
  }

  /** Deletes the table (and everything in it); absent is fine. */
  async cleanup(): Promise<boolean> {
    this.applied = emptyRuleset();
    this.needFull = true;
    try {
      await this.run(this.binary, ['delete', 'table', 'ip', this.table]);
      return true;
    } catch (e: unknown) {
      if (e instanceof CommandError && /No such file or directory|does not exist/.test(e.stderr)) return false;
      throw e;
    }
  }

  /** Whether the table exists in the kernel. */
  async exists(): Promise<boolean> {
    const out = await this.run(this.binary, ['list', 'tables', 'ip']);
    return out.split('\n').some((l) => l.trim() === `table ip ${this.table}`);
  }
}
