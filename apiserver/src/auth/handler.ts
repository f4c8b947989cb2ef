// The API server's auth hook: authenticate → authorize every request (and upgrade), /cacerts, and node client certificates for bootstrap tokens.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KeyObject, X509Certificate } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { BadRequestError, ForbiddenError, StatusError, toStatusError } from '@keelson/api';
import { parseResourcePath } from '../rest/request-info';
import { authenticate, type AuthResult, type AuthenticatorOptions } from './authenticator';
import { authorize, forbiddenMessage, publicPaths, type AuthorizerLookups } from './authorizer';
import { bootstrapGroup } from './tokens';
import { CertificateError, issueCertificate, parseCsr } from './x509';
import { NodeUserPrefix, NodesGroup, SystemMasters, nodeNameOf, type Attributes, type UserInfo, type Verb } from './user';

/** The path a joining node posts its CSR to (k3s serves /v1-k3s/client-kubelet.crt). */
export const nodeCertificatePath = '/v1-keelson/client-kubelet.crt';
/** The unauthenticated CA bundle a joining node verifies against its join token's hash (as k3s's /cacerts). */
export const caCertsPath = '/cacerts';

export class UnauthorizedError extends StatusError {
  constructor() {
    super(401, 'Unauthorized', 'Unauthorized');
  }
}

export interface AuthHookOptions extends AuthenticatorOptions, AuthorizerLookups {
  /** The CA bundle served at /cacerts (PEM, served byte for byte). */
  caBundle?: string;
  /** Signs node client certificates (the cluster CA). Absent: the CSR endpoint answers 404. */
  signer?: { cert: X509Certificate; key: KeyObject };
  /** How long a node client certificate is valid (default one year, as k3s). */
  nodeCertificateValidityMs?: number;
  maxRequestBodyBytes: number;
  /** Logs each refusal (user, verb, what). */
  onDenied?: (user: string, message: string) => void;
}

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function resourceVerb(method: string, named: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** The authorization attributes of a request (its body is read only when a create's name matters). */
export function attributesOf(method: string, url: URL, upgrade: boolean): Attributes {
  const parsed = parseResourcePath(url.pathname);
  if (parsed?.kind !== 'resource') return { kind: 'nonResource', verb: method.toLowerCase(), path: url.pathname };
  const watch = parsed.legacyWatch || url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  // WebSocket exec/attach/portforward need create on the subresource (as upstream since 1.35).
  const verb = upgrade ? 'create' : resourceVerb(method, parsed.name !== undefined, watch);
  return {
    kind: 'resource',
    verb: verb ?? 'get',
    group: parsed.group,
    resource: parsed.info.resource,
    subresource: parsed.subresource ?? '',
    namespace: parsed.namespace ?? '',
    name: parsed.name ?? '',
  };
}

function forbidden(user: UserInfo, a: Attributes): ForbiddenError {
  if (a.kind === 'nonResource') return new ForbiddenError(`forbidden: ${forbiddenMessage(user, a)}`);
  const qualified = a.group !== '' ? `${a.resource}.${a.group}` : a.resource;
  const what = a.name !== '' ? `${qualified} "${a.name}"` : qualified;
  return new ForbiddenError(`${what} is forbidden: ${forbiddenMessage(user, a)}`, { resource: a.resource, group: a.group, ...(a.name !== '' ? { name: a.name } : {}) });
}

export interface AuthHook {
  /** Express middleware: 401/403 or next(); also serves /cacerts and the node certificate endpoint. */
  middleware: RequestHandler;
  /** Wraps an `upgrade` listener so only authorized upgrades reach it. */
  guardUpgrade(handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** The user a request is, or the error to answer with. */
type Who = { user: UserInfo } | { anonymous: true } | { error: StatusError };

function who(r: AuthResult): Who {
  if (r.kind === 'user') return { user: r.user };
  if (r.kind === 'anonymous') return { anonymous: true };
  return { error: new UnauthorizedError() };
}

export function createAuthHook(o: AuthHookOptions): AuthHook {
  const readBody = express.raw({ type: () => true, limit: o.maxRequestBodyBytes });
  const validityMs = o.nodeCertificateValidityMs ?? 365 * 24 * 3600 * 1000;

  /** 401, 403 or undefined (allowed). `body` reads a create's name when the authorizer needs it. */
  async function check(req: IncomingMessage, a: Attributes, body: () => Promise<string | undefined>): Promise<StatusError | undefined> {
    const w = who(await authenticate(req, o));
    if ('error' in w) return w.error;
    if ('anonymous' in w) return a.kind === 'nonResource' && a.verb === 'get' && publicPaths.has(a.path) ? undefined : new UnauthorizedError();
    // A create names its object in the body: the Node authorizer needs it for a node's own Node and Lease.
    // (Only the decision sees it: upstream's message names no object for a create.)
    const named = a.kind === 'resource' && a.verb === 'create' && a.name === '' && a.subresource === '' && nodeNameOf(w.user) !== undefined ? { ...a, name: (await body()) ?? '' } : a;
    const decision = await authorize(w.user, named, o);
    if (decision.allowed) return undefined;
    const err = forbidden(w.user, a);
    o.onDenied?.(w.user.name, err.message);
    return err;
  }

  async function signNodeCertificate(req: Request, res: Response): Promise<void> {
    if (o.signer === undefined) throw new BadRequestError('this server signs no node certificates');
    const w = who(await authenticate(req, o));
    if ('error' in w) throw w.error;
    if ('anonymous' in w) throw new UnauthorizedError();
    await new Promise<void>((resolve, reject) => readBody(req, res, (e?: unknown) => (e === undefined ? resolve() : reject(e instanceof Error ? e : toStatusError(e)))));
    const pem = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let csr;
    try {
      csr = parseCsr(pem);
    } catch (e: unknown) {
      if (e instanceof CertificateError) throw new BadRequestError(`invalid certificate request: ${e.message}`);
      throw e;
    }
    const { commonName, organizations = [] } = csr.subject;
    const node = commonName.startsWith(NodeUserPrefix) ? commonName.slice(NodeUserPrefix.length) : '';
    if (node === '' || !dns1123.test(node) || node.length > 253 || organizations.length !== 1 || organizations[0] !== NodesGroup) {
      throw new BadRequestError(`a node certificate request must have CN=system:node:<node name> and O=system:nodes, not CN=${commonName} O=${organizations.join(',')}`);
    }
    // A bootstrap token may enrol any node; an admin may too; a node may only renew its own certificate.
    const user = w.user;
    const allowed = user.groups.includes(bootstrapGroup) || user.groups.includes(SystemMasters) || nodeNameOf(user) === node;
    if (!allowed) throw new ForbiddenError(`forbidden: User "${user.name}" cannot create a client certificate for node "${node}"`);
    const now = o.now();
    const cert = issueCertificate({
      subject: { commonName, organizations: [NodesGroup] },
      publicKey: csr.publicKey,
      issuer: o.signer,
      usages: ['client'],
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + validityMs),
    });
    res.status(201).type('application/x-pem-file').send(cert);
  }

  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (req.path === caCertsPath && req.method === 'GET' && o.caBundle !== undefined) {
      res.type('application/x-pem-file').send(o.caBundle);
      return;
    }
    if (req.path === nodeCertificatePath && req.method === 'POST') {
      signNodeCertificate(req, res).catch(next);
      return;
    }
    const a = attributesOf(req.method, new URL(req.originalUrl, 'http://apiserver'), false);
    const body = async (): Promise<string | undefined> => {
      await new Promise<void>((resolve, reject) => readBody(req, res, (e?: unknown) => (e === undefined ? resolve() : reject(e instanceof Error ? e : toStatusError(e)))));
      try {
        const obj = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '') as { metadata?: { name?: unknown } };
        return typeof obj.metadata?.name === 'string' ? obj.metadata.name : undefined;
      } catch {
        // Not JSON (YAML, or malformed): the name stays unknown and the authorizer decides without it; the handler reports bad bodies.
        return undefined;
      }
    };
    check(req, a, body).then((err) => next(err), next);
  };

  return {
    middleware,
    guardUpgrade: (handler) => (req, socket, head) => {
      socket.on('error', () => undefined);
      const a = attributesOf(req.method ?? 'GET', new URL(req.url ?? '/', 'http://apiserver'), true);
      check(req, a, () => Promise.resolve(undefined)).then(
        (err) => {
          if (err === undefined) {
            handler(req, socket, head);
            return;
          }
          const body = JSON.stringify(err.toStatus());
          socket.end(`HTTP/1.1 ${err.code} ${err.code === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        },
        (e: unknown) => {
          const status = toStatusError(e);
          socket.end(`HTTP/1.1 ${status.code} Error\r\nConnection: close\r\n\r\n`);
        },
      );
    },
  };
}
