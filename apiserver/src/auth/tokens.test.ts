// Static token files and bootstrap tokens: what authenticates, as whom, and what does not.
import { bootstrapTokenUser, parseBootstrapToken, parseTokenFile, TokenError, type SecretLike } from './tokens';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const now = new Date('2026-05-01T00:00:00Z');

function secret(data: Record<string, string>, extra: Partial<SecretLike> = {}): SecretLike {
  const d: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) d[k] = b64(v);
  return { type: 'bootstrap.kubernetes.io/token', data: d, ...extra };
}

const good = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration: '2026-05-02T00:00:00Z' };

describe('token file', () => {
  it('reads token,user,uid,"groups" lines, skipping comments and blanks', () => {
    const users = parseTokenFile('# comment\n\nt1,alice,100,"dev,ops"\nt2, bob ,101\n', 'tokens.csv');
    expect(users.get('t1')).toEqual({ name: 'alice', uid: '100', groups: ['dev', 'ops'] });
    expect(users.get('t2')).toEqual({ name: 'bob', uid: '101', groups: [] });
    expect(users.size).toBe(2);
  });

  it('names the file and line of a bad entry', () => {
    expect(() => parseTokenFile('t1,alice\n', 'tokens.csv')).toThrow(new TokenError('tokens.csv:1: want token,user,uid[,"groups"]'));
    expect(() => parseTokenFile('t1,a,1\nt1,b,2\n', 'tokens.csv')).toThrow(/tokens.csv:2: duplicate token/);
  });
});

describe('bootstrap tokens', () => {
  it('parses only <6 chars>.<16 chars> of [a-z0-9]', () => {
    expect(parseBootstrapToken('abcdef.0123456789abcdef')).toEqual({ id: 'abcdef', secret: '0123456789abcdef' });
    expect(parseBootstrapToken('ABCDEF.0123456789abcdef')).toBeUndefined();
    expect(parseBootstrapToken('abcdef.0123456789abcde')).toBeUndefined();
    expect(parseBootstrapToken('abcdef:0123456789abcdef')).toBeUndefined();
  });

  it('authenticates as system:bootstrap:<id> in system:bootstrappers plus extra groups', () => {
    const t = { id: 'abcdef', secret: '0123456789abcdef' };
    expect(bootstrapTokenUser(t, secret({ ...good, 'auth-extra-groups': 'system:bootstrappers:keelson:default-node-token' }), now)).toEqual({
      name: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:keelson:default-node-token'],
    });
  });

  it('refuses a wrong secret, an expired or deleted token, the wrong type, no auth usage, or foreign extra groups', () => {
    const t = { id: 'abcdef', secret: '0123456789abcdef' };
    expect(bootstrapTokenUser(t, secret(good), now)).toBeDefined();
    expect(bootstrapTokenUser({ ...t, secret: '0123456789abcdee' }, secret(good), now)).toBeUndefined();
    expect(bootstrapTokenUser(t, secret(good), new Date('2026-05-02T00:00:00Z'))).toBeUndefined();
    expect(bootstrapTokenUser(t, secret(good, { metadata: { deletionTimestamp: '2026-04-30T00:00:00Z' } }), now)).toBeUndefined();
    expect(bootstrapTokenUser(t, secret(good, { type: 'Opaque' }), now)).toBeUndefined();
    expect(bootstrapTokenUser(t, secret({ ...good, 'usage-bootstrap-authentication': 'false' }), now)).toBeUndefined();
    expect(bootstrapTokenUser(t, secret({ ...good, 'auth-extra-groups': 'system:masters' }), now)).toBeUndefined();
    expect(bootstrapTokenUser(t, undefined, now)).toBeUndefined();
  });
});
