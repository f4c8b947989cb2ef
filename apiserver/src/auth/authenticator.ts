// Authentication: the verified TLS client certificate (CN = user, O = groups), else a bearer token (static file or bootstrap token).
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { certificateSubject } from './x509';
import { bootstrapTokenNamespace, bootstrapTokenSecretName, bootstrapTokenUser, parseBootstrapToken, type SecretLike } from './tokens';
import { Authenticated, type UserInfo } from './user';

export interface AuthenticatorOptions {
  /** Users of the static token file, by token. */
  tokens: ReadonlyMap<string, UserInfo>;
  /** Accept bootstrap tokens (kube-system Secrets of type bootstrap.kubernetes.io/token). */
  bootstrapTokens: boolean;
  now(): Date;
  getSecret(namespace: string, name: string): Promise<SecretLike | undefined>;
}

/** `user`: who it is; `anonymous`: no credentials at all; `failed`: credentials that do not check out (always 401). */
export type AuthResult = { kind: 'user'; user: UserInfo } | { kind: 'anonymous' } | { kind: 'failed'; reason: string };

function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes(Authenticated) ? user : { ...user, groups: [...user.groups, Authenticated] };
}

/** The user of each verified connection: a connection's certificate never changes, so its DER is read once. */
const certificateUsers = new WeakMap<TLSSocket, UserInfo>();

function certificateUser(socket: TLSSocket, peer: X509Certificate): UserInfo | undefined {
  const subject = certificateSubject(peer);
  if (subject.commonName === '') return undefined;
  const user = withAuthenticated({ name: subject.commonName, groups: [...(subject.organizations ?? [])] });
  certificateUsers.set(socket, user);
  return user;
}

function tlsSocket(req: IncomingMessage): TLSSocket | undefined {
  const s = req.socket as Partial<TLSSocket>;
  return typeof s.getPeerX509Certificate === 'function' ? (req.socket as TLSSocket) : undefined;
}

/** The union authenticator, in upstream's order: x509 first, then bearer tokens. */
export async function authenticate(req: IncomingMessage, o: AuthenticatorOptions): Promise<AuthResult> {
  const socket = tlsSocket(req);
  const known = socket !== undefined ? certificateUsers.get(socket) : undefined;
  if (known !== undefined) return { kind: 'user', user: known };
  const peer = socket?.getPeerX509Certificate();
  let failure: string | undefined;
  if (socket !== undefined && peer !== undefined) {
    // The listener requests a certificate but lets the handshake finish; `authorized` says it chained to the client CA.
    if (socket.authorized) {
      const user = certificateUser(socket, peer);
      if (user !== undefined) return { kind: 'user', user };
      failure = 'client certificate has no common name';
    } else {
      failure = `client certificate not trusted: ${socket.authorizationError instanceof Error ? socket.authorizationError.message : String(socket.authorizationError)}`;
    }
  }
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = m?.[1];
    if (token !== undefined) {
      const fromFile = o.tokens.get(token);
      if (fromFile !== undefined) return { kind: 'user', user: withAuthenticated(fromFile) };
      const bootstrap = o.bootstrapTokens ? parseBootstrapToken(token) : undefined;
      if (bootstrap !== undefined) {
        const secret = await o.getSecret(bootstrapTokenNamespace, bootstrapTokenSecretName(bootstrap.id));
        const user = bootstrapTokenUser(bootstrap, secret, o.now());
        if (user !== undefined) return { kind: 'user', user: withAuthenticated(user) };
      }
      failure ??= 'invalid bearer token';
    }
  }
  return failure !== undefined ? { kind: 'failed', reason: failure } : { kind: 'anonymous' };
}
