// Public surface of the native helper wrapper: launch types, NativeHelper, CRI log parsing, errors.
export {
  decodeConfig,
  encodeConfig,
  execArgs,
  mountEntry,
  runEntries,
  sandboxEntries,
  type ConfigEntry,
  type ContainerLaunch,
  type ExecLaunch,
  type MountSpec,
  type SandboxLaunch,
} from './config';
export { criLogText, parseCriLog, parseCriLogLine, type CriLogLine } from './crilog';
export { HelperConfigError, HelperError, HelperFailedError, HelperNotBuiltError, HelperTimeoutError } from './errors';
export { defaultHelperBinary, NativeHelper, parseExitInfo, type ExitInfo, type NativeHelperOptions } from './helper';
export { ForkServer, ForkServerError, ServedTimeoutError, type ServedResult, type ServeOptions } from './forkserver';
