// Public surface of @keelson/kubectl: the keelctl command line.
export { main, runKeelctl, buildProgram, ExitCode, type RunOptions } from './main';
export { createContext, parseDuration, type CommandContext, type GlobalFlags, type Output } from './context';
export { CliError, describeError } from './errors';
