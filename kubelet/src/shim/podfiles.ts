// The per-pod /etc/hosts, /etc/hostname and /etc/resolv.conf the shim bind-mounts into every container of a sandbox.
import { readFile } from 'node:fs/promises';
import type { PodSandboxConfig } from './types';

/** The hosts file as the kubelet writes it ("Kubernetes-managed hosts file"), with the pod's own entry and hostAliases. */
export function hostsFile(config: PodSandboxConfig, ip: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = config.hostname || config.metadata?.name || 'localhost';
  if (ip !== '') lines.push(config.fqdn !== '' ? `${ip}\t${config.fqdn}\t${hostname}` : `${ip}\t${hostname}`);
  if (config.hostAliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const alias of config.hostAliases) lines.push(`${alias.ip}\t${alias.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * resolv.conf from the sandbox's DNS config; a sandbox without one gets the node's (Kubernetes' `Default` policy),
 * read from `hostResolvConf`.
 */
export async function resolvConf(config: PodSandboxConfig, hostResolvConf = '/etc/resolv.conf'): Promise<string> {
  const dns = config.dnsConfig;
  if (dns === null || (dns.servers.length === 0 && dns.searches.length === 0 && dns.options.length === 0)) {
    try {
      return await readFile(hostResolvConf, 'utf8');
    } catch {
      return '';
    }
  }
  const lines: string[] = [];
  if (dns.searches.length > 0) lines.push(`search ${dns.searches.join(' ')}`);
  for (const server of dns.servers) lines.push(`nameserver ${server}`);
  if (dns.options.length > 0) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function hostnameFile(config: PodSandboxConfig): string {
  return `${config.hostname || config.metadata?.name || 'localhost'}\n`;
}
