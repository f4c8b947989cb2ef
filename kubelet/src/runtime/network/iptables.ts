// Idempotent iptables helpers: ensure chains, jumps and rules; find and delete rules by comment; parse `iptables -S`.
import { CommandError, type CommandRunner } from './exec';

export type IptablesTable = 'nat' | 'filter';

/** Wraps the iptables binary (always with -w so concurrent callers wait for the xtables lock). */
export class Iptables {
  constructor(
    private readonly runner: CommandRunner,
    private readonly binary = 'iptables',
  ) {}

  async ensureChain(table: IptablesTable, chain: string): Promise<void> {
    try {
      await this.exec(['-t', table, '-N', chain]);
    } catch (err: unknown) {
      if (err instanceof CommandError && /already exists/i.test(err.stderr)) return;
      throw err;
    }
  }

  /** True when the exact rule exists in the chain. */
  async exists(table: IptablesTable, chain: string, rule: readonly string[]): Promise<boolean> {
    try {
      await this.exec(['-t', table, '-C', chain, ...rule]);
      return true;
    } catch (err: unknown) {
      // -C exits 1 when the rule is absent; 2 (or a message) when the chain or a target is missing.
      if (err instanceof CommandError && (err.exitCode === 1 || /does a matching rule exist|No chain|does not exist|doesn't exist/i.test(err.stderr))) return false;
      throw err;
    }
  }

  /** Appends (or, with `position: 'first'`, inserts at the head) the rule unless it already exists. */
  async ensureRule(table: IptablesTable, chain: string, rule: readonly string[], position: 'first' | 'last' = 'last'): Promise<void> {
    if (await this.exists(table, chain, rule)) return;
    await this.exec(['-t', table, position === 'first' ? '-I' : '-A', chain, ...(position === 'first' ? ['1'] : []), ...rule]);
  }

  /** Deletes the rule if present (idempotent). */
  async deleteRule(table: IptablesTable, chain: string, rule: readonly string[]): Promise<void> {
    if (!(await this.exists(table, chain, rule))) return;
    await this.exec(['-t', table, '-D', chain, ...rule]);
  }

  /** Rules of a chain as argument lists (without the leading `-A <chain>`); empty when the chain does not exist. */
  async listRules(table: IptablesTable, chain: string): Promise<string[][]> {
    let out: string;
    try {
      out = (await this.exec(['-t', table, '-S', chain])).stdout;
    } catch (err: unknown) {
      // iptables-nft 1.8.9 reports a missing chain in -S as "incompatible, use 'nft' tool".
      if (err instanceof CommandError && /No chain|does not exist|doesn't exist|incompatible/i.test(err.stderr)) return [];
      throw err;
    }
    const rules: string[][] = [];
    for (const line of out.split('\n')) {
      const tokens = splitIptablesLine(line);
      if (tokens[0] === '-A' && tokens[1] === chain) rules.push(tokens.slice(2));
    }
    return rules;
  }

  /** Flushes and deletes a chain; no error when it does not exist (jumps to it must be removed first). */
  async deleteChain(table: IptablesTable, chain: string): Promise<void> {
    for (const step of ['-F', '-X']) {
      try {
        await this.exec(['-t', table, step, chain]);
      } catch (err: unknown) {
        if (err instanceof CommandError && /No chain|does not exist|doesn't exist/i.test(err.stderr)) return;
        throw err;
      }
    }
  }

  private exec(args: readonly string[]) {
    return this.runner.run(this.binary, ['-w', '5', ...args]);
  }
}

/** Splits one line of `iptables -S` output into arguments, honouring double quotes and backslash escapes. */
export function splitIptablesLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line.charAt(++i);
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inToken = true;
    } else if (c === ' ' || c === '\t') {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (inToken) out.push(cur);
  return out;
}
