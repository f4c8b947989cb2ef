// Authentication and authorization of API requests: TLS client certificates, bearer and bootstrap tokens, the Node authorizer.
import { readFileSync } from 'node:fs';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { parseTokenFile } from './tokens';
import { loadPrivateKey } from './x509';
import type { UserInfo } from './user';

export { createAuthHook, attributesOf, caCertsPath, nodeCertificatePath, UnauthorizedError, type AuthHook, type AuthHookOptions } from './handler';
export { authorize, forbiddenMessage, publicPaths, type AuthorizerLookups, type Decision } from './authorizer';
export { authenticate, type AuthResult, type AuthenticatorOptions } from './authenticator';
export {
  parseTokenFile,
  parseBootstrapToken,
  bootstrapTokenSecretName,
  bootstrapTokenUser,
  bootstrapTokenSecretType,
  bootstrapTokenNamespace,
  bootstrapGroup,
  TokenError,
  type BootstrapToken,
  type SecretLike,
} from './tokens';
export { issueCertificate, createCsr, parseCsr, generateKey, privateKeyPem, loadPrivateKey, certificateSubject, sha256Hex, CertificateError, type Subject, type Usage, type IssueOptions, type ParsedCsr } from './x509';
export * from './user';

/** The file-backed security material of an API server, read once at start. */
export interface SecurityFiles {
  tlsCertFile?: string | undefined;
  tlsPrivateKeyFile?: string | undefined;
  clientCAFile?: string | undefined;
  tokenAuthFile?: string | undefined;
  clusterSigningCertFile?: string | undefined;
  clusterSigningKeyFile?: string | undefined;
}

export interface LoadedSecurity {
  tls?: { cert: Buffer; key: Buffer };
  clientCA?: Buffer;
  tokens: Map<string, UserInfo>;
  signer?: { cert: X509Certificate; key: KeyObject };
  /** What /cacerts serves: the client CA bundle (the cluster CA), byte for byte. */
  caBundle?: string;
}

/** Reads the certificate, key, CA and token files named in the config; a missing or bad file fails startup with its name. */
export function loadSecurity(f: SecurityFiles): LoadedSecurity {
  const out: LoadedSecurity = { tokens: new Map() };
  if ((f.tlsCertFile === undefined) !== (f.tlsPrivateKeyFile === undefined)) throw new Error('tlsCertFile and tlsPrivateKeyFile must be set together');
  if (f.tlsCertFile !== undefined && f.tlsPrivateKeyFile !== undefined) out.tls = { cert: readFileSync(f.tlsCertFile), key: readFileSync(f.tlsPrivateKeyFile) };
  if (f.clientCAFile !== undefined) {
    out.clientCA = readFileSync(f.clientCAFile);
    out.caBundle = out.clientCA.toString('utf8');
  }
  if (f.tokenAuthFile !== undefined) out.tokens = parseTokenFile(readFileSync(f.tokenAuthFile, 'utf8'), f.tokenAuthFile);
  if ((f.clusterSigningCertFile === undefined) !== (f.clusterSigningKeyFile === undefined)) throw new Error('clusterSigningCertFile and clusterSigningKeyFile must be set together');
  if (f.clusterSigningCertFile !== undefined && f.clusterSigningKeyFile !== undefined) {
    out.signer = { cert: new X509Certificate(readFileSync(f.clusterSigningCertFile)), key: loadPrivateKey(readFileSync(f.clusterSigningKeyFile)) };
  }
  return out;
}
