// Every keelctl command, registered in the order `keelctl --help` lists them.
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { registerVersion } from './version';
import { registerGet } from './get';
import { registerApply } from './apply';
import { registerDiff } from './diff';
import { registerCreate } from './create';
import { registerDelete } from './delete';
import { registerDescribe } from './describe';
import { registerScale } from './scale';
import { registerRollout } from './rollout';
import { registerWait } from './wait';
import { registerCordon } from './cordon';
import { registerDrain } from './drain';
import { registerApiResources } from './api-resources';
import { registerConfig } from './config';
import { registerLogs } from './logs';
import { registerExec } from './exec';
import { registerAttach } from './attach';
import { registerPortForward } from './port-forward';
import { registerTop } from './top';
import { registerWhy } from './why';

/** A command module adds its subcommand(s) to the program; `ctx()` gives the context at run time. */
export type Register = (program: Command, ctx: () => CommandContext) => void;

export const commands: Register[] = [
  registerVersion,
  registerGet,
  registerApply,
  registerDiff,
  registerCreate,
  registerDelete,
  registerDescribe,
  registerScale,
  registerRollout,
  registerWait,
  registerCordon,
  registerDrain,
  registerApiResources,
  registerConfig,
  registerLogs,
  registerExec,
  registerAttach,
  registerPortForward,
  registerTop,
  registerWhy,
];
