// Public surface of @keelson/proxy (see README.md).
export { run, cleanup, kubeDnsService, type RunningProxy } from './run';
export { completeConfig, ProxyConfigError, type ProxyOptions, type ProxyConfig } from './config';
export { Proxier, type ProxierDeps } from './proxier';
export { servicePorts, usableEndpoints, slicesByService, defaultAffinitySeconds, type ServicePortInfo, type Endpoint, type Protocol } from './endpoints';
export { buildRuleset, diffScript, emptyRuleset, rulesetCounts, defaultTable, masqueradeMark, serviceChainName, endpointChainName, externalChainName, type Ruleset, type RulesetOptions, type ChainSpec } from './nft/model';
export { Nftables } from './nft/nftables';
export { Host, type HostOptions } from './host';
export { DnsServer, type DnsServerOptions, type DnsLogger } from './dns/server';
export { resolve as resolveDns, type DnsData, type ZoneOptions, type Resolution } from './dns/records';
export { parseResolvConf, readUpstreams, UpstreamError, type Upstream } from './dns/upstream';
export { CommandError, runCommand, type Runner } from './exec';
export { createMetrics, type ProxyMetrics } from './metrics';
export { createLogger, type Logger, type LogLevel } from './log';
