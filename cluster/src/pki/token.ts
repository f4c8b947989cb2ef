// Join tokens (k3s-style `K10<sha256 of the CA bundle>::<id>.<secret>`) and the bootstrap-token Secrets behind them.
import { randomInt } from 'node:crypto';
import { bootstrapTokenNamespace, bootstrapTokenSecretName, bootstrapTokenSecretType, parseBootstrapToken, sha256Hex, type BootstrapToken } from '@keelson/apiserver';
import type { Secret } from '@keelson/api';
import type { RestClient } from '@keelson/client';

/** A join token that is not `K10<64 hex>::<6>.<16>`. */
export class JoinTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JoinTokenError';
  }
}

export interface JoinToken {
  /** sha256 (hex) of the CA bundle exactly as the server's /cacerts serves it. */
  caHash: string;
  bootstrap: BootstrapToken;
}

export function formatJoinToken(caBundle: string, t: BootstrapToken): string {
  return `K10${sha256Hex(caBundle)}::${t.id}.${t.secret}`;
}

export function parseJoinToken(token: string): JoinToken {
  const m = /^K10([0-9a-f]{64})::(.+)$/.exec(token.trim());
  const bootstrap = m?.[2] !== undefined ? parseBootstrapToken(m[2]) : undefined;
  if (m?.[1] === undefined || bootstrap === undefined) throw new JoinTokenError('not a join token: want K10<sha256 of the CA>::<6 characters>.<16 characters> (from `keelson token create`)');
  return { caHash: m[1], bootstrap };
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

export interface CreateTokenOptions {
  /** Lifetime; 0 for a token that never expires (as kubeadm's --ttl 0). */
  ttlMs: number;
  now: Date;
  description?: string;
}

/** Stores a new bootstrap token as kube-system/bootstrap-token-<id> and returns it (the id and secret). */
export async function createBootstrapToken(client: RestClient, o: CreateTokenOptions): Promise<BootstrapToken> {
  const token: BootstrapToken = { id: randomString(6), secret: randomString(16) };
  const data: Record<string, string> = {
    'token-id': token.id,
    'token-secret': token.secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': 'system:bootstrappers:keelson:default-node-token',
    description: o.description ?? 'keelson agent join token',
  };
  if (o.ttlMs > 0) data['expiration'] = new Date(o.now.getTime() + o.ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(token.id), namespace: bootstrapTokenNamespace },
    type: bootstrapTokenSecretType,
    stringData: data,
  };
  await client.resource('v1', 'Secret').namespace(bootstrapTokenNamespace).create(secret);
  return token;
}
