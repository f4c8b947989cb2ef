// Bearer tokens: the static token file (--token-auth-file CSV) and bootstrap tokens kept as kube-system Secrets.
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './user';

/** A token file line or bootstrap token that cannot be used. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/**
 * Parses a static token file as upstream's --token-auth-file: CSV lines `token,user,uid[,"group1,group2"]`,
 * blank lines and `#` comments skipped. Duplicate tokens are an error (upstream keeps the last; an
 * explicit failure is kinder to an operator).
 */
export function parseTokenFile(text: string, file: string): Map<string, UserInfo> {
  const out = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fields = csvFields(line);
    const [token = '', name = '', uid = '', groups = ''] = fields;
    if (fields.length < 3 || token === '' || name === '') throw new TokenError(`${file}:${i + 1}: want token,user,uid[,"groups"]`);
    if (out.has(token)) throw new TokenError(`${file}:${i + 1}: duplicate token`);
    out.set(token, { name, uid, groups: groups.split(',').map((g) => g.trim()).filter((g) => g !== '') });
  });
  return out;
}

function csvFields(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  fields.push(cur.trim());
  return fields;
}

// ---------------------------------------------------------------------------------------
// Bootstrap tokens (k8s.io/cluster-bootstrap): `<id>.<secret>`, stored as Secret kube-system/bootstrap-token-<id>.

export const bootstrapTokenSecretType = 'bootstrap.kubernetes.io/token';
export const bootstrapTokenNamespace = 'kube-system';
export const bootstrapGroup = 'system:bootstrappers';
const tokenPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

export interface BootstrapToken {
  id: string;
  secret: string;
}

export function parseBootstrapToken(token: string): BootstrapToken | undefined {
  const m = tokenPattern.exec(token);
  return m?.[1] !== undefined && m[2] !== undefined ? { id: m[1], secret: m[2] } : undefined;
}

export function bootstrapTokenSecretName(id: string): string {
  return `bootstrap-token-${id}`;
}

/** The fields of a Secret the bootstrap authenticator reads. */
export interface SecretLike {
  type?: string;
  metadata?: { deletionTimestamp?: string };
  data?: Record<string, string>;
}

function field(s: SecretLike, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/**
 * The user a bootstrap token authenticates as, checked against its Secret as upstream's bootstrap
 * authenticator does: right type, not being deleted, matching secret, usage-bootstrap-authentication
 * "true", not expired. User `system:bootstrap:<id>`, groups `system:bootstrappers` plus auth-extra-groups
 * (each must start with `system:bootstrappers:`). Undefined when the token is not good.
 */
export function bootstrapTokenUser(token: BootstrapToken, secret: SecretLike | undefined, now: Date): UserInfo | undefined {
  if (secret === undefined || secret.type !== bootstrapTokenSecretType || secret.metadata?.deletionTimestamp !== undefined) return undefined;
  const want = Buffer.from(field(secret, 'token-secret') ?? '');
  const got = Buffer.from(token.secret);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  if (field(secret, 'token-id') !== token.id) return undefined;
  if (field(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
  const expiration = field(secret, 'expiration');
  if (expiration !== undefined) {
    const t = Date.parse(expiration);
    if (Number.isNaN(t) || t <= now.getTime()) return undefined;
  }
  const extra = (field(secret, 'auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
  if (extra.some((g) => !g.startsWith(`${bootstrapGroup}:`))) return undefined;
  return { name: `system:bootstrap:${token.id}`, groups: [bootstrapGroup, ...extra] };
}
