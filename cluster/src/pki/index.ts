// The cluster's PKI: certificates under <data-dir>/tls, kubeconfigs, join tokens.
export { ensureServerPki, builtinSans, type ServerPki, type CertPair, type PkiOptions } from './certs';
export { kubeconfigYaml, writeKubeconfig, type KubeconfigCredentials } from './kubeconfig';
export { formatJoinToken, parseJoinToken, createBootstrapToken, JoinTokenError, type JoinToken, type CreateTokenOptions } from './token';
