// Every keelctl command, registered in the order `keelctl --help` lists them.
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { registerVersion } from './version';

/** A command module adds its subcommand(s) to the program; `ctx()` gives the context at run time. */
export type Register = (program: Command, ctx: () => CommandContext) => void;

export const commands: Register[] = [
  registerVersion,
];
