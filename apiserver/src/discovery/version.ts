// `GET /version`: a version.Info built from build information injected at start-up.
import type { VersionInfo } from './types';

/** The Kubernetes API this server is wire-compatible with. */
export const KUBERNETES_VERSION = 'v1.30.0';

/** What `gitVersion` reports unless the build injects another: kubectl parses it for version skew. */
export const DEFAULT_GIT_VERSION = `${KUBERNETES_VERSION}-keelson`;

/** Build information, injected (from the package, the build, `process`) rather than read here. */
export interface VersionOptions {
  /** A semantic version starting `vMAJOR.MINOR.` (default `v1.30.0-keelson`). */
  gitVersion?: string;
  /** The commit the binary was built from (default ''). */
  gitCommit?: string;
  /** `clean` or `dirty`; '' when unknown (the default). */
  gitTreeState?: 'clean' | 'dirty' | '';
  /** RFC 3339 build time (default `1970-01-01T00:00:00Z`, as an unstamped upstream build). */
  buildDate?: string;
  /** The JavaScript runtime: `process.version`, `process.platform`, `process.arch`. */
  runtime?: { version: string; platform: string; arch: string };
}

const goArch: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };

/** Node's platform and arch in Go's `GOOS/GOARCH` spelling: (`linux`, `x64`) → `linux/amd64`. */
export function goPlatform(platform: string, arch: string): string {
  const os = platform === 'win32' ? 'windows' : platform;
  return `${os}/${goArch[arch] ?? arch}`;
}

/**
 * The version document. `major` and `minor` come from `gitVersion` (`v1.30.0-keelson` → `1`,
 * `30`); `goVersion` names the runtime the server really runs on (`node20.19.0`), `compiler`
 * is `v8`.
 */
export function versionInfo(options: VersionOptions = {}): VersionInfo {
  const gitVersion = options.gitVersion ?? DEFAULT_GIT_VERSION;
  const m = /^v(\d+)\.(\d+)(?:\.|$)/.exec(gitVersion);
  const runtime = options.runtime;
  return {
    major: m?.[1] ?? '',
    minor: m?.[2] ?? '',
    gitVersion,
    gitCommit: options.gitCommit ?? '',
    gitTreeState: options.gitTreeState ?? '',
    buildDate: options.buildDate ?? '1970-01-01T00:00:00Z',
    goVersion: runtime ? `node${runtime.version.replace(/^v/, '')}` : '',
    compiler: 'v8',
    platform: runtime ? goPlatform(runtime.platform, runtime.arch) : '',
  };
}
