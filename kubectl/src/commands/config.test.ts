// keelctl config view|get-contexts|current-context|use-context on kubeconfig files (no server needed).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { load } from 'js-yaml';
import { keelctl } from '../testing';

const main = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: Y2EtZGF0YQ==
- name: dev
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.crt
users:
- name: admin
  user:
    token: s3cret-token
- name: alice
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
- name: bob
  user:
    username: bob
    password: hunter2
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: web}
- name: dev
  context: {cluster: dev, user: alice}
current-context: prod
`;

const extra = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://shadowed.example:6443
- name: lab
  cluster:
    server: http://127.0.0.1:8080
users:
- name: bob
  user:
    token: from-second-file
contexts:
- name: lab
  context: {cluster: lab, user: bob, namespace: experiments}
current-context: lab
`;

describe('keelctl config', () => {
  let dir: string;
  let a: string;
  let b: string;
  let both: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelctl-config-'));
    a = join(dir, 'a.yaml');
    b = join(dir, 'b.yaml');
    writeFileSync(a, main);
    writeFileSync(b, extra);
    both = [a, b].join(delimiter);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('view', () => {
    it('merges the files, first wins, and redacts secrets', async () => {
      expect(await keelctl(both, ['config', 'view'])).toEqual({
        code: 0,
        err: '',
        out: `apiVersion: v1
clusters:
- cluster:
    certificate-authority: ${join(dir, 'certs/ca.crt')}
    server: https://dev.example:6443
  name: dev
- cluster:
    server: http://127.0.0.1:8080
  name: lab
- cluster:
    certificate-authority-data: DATA+OMITTED
    server: https://prod.example:6443
  name: prod
contexts:
- context:
    cluster: dev
    user: alice
  name: dev
- context:
    cluster: lab
    namespace: experiments
    user: bob
  name: lab
- context:
    cluster: prod
    namespace: web
    user: admin
  name: prod
current-context: prod
kind: Config
users:
- name: admin
  user:
    token: REDACTED
- name: alice
  user:
    client-certificate-data: DATA+OMITTED
    client-key-data: DATA+OMITTED
- name: bob
  user:
    password: REDACTED
    username: bob
`,
      });
    });

    it('keeps only what the current context uses with --minify, and shows secrets with --raw', async () => {
      expect(await keelctl(a, ['config', 'view', '--minify', '--raw'])).toEqual({
        code: 0,
        err: '',
        out: `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Y2EtZGF0YQ==
    server: https://prod.example:6443
  name: prod
contexts:
- context:
    cluster: prod
    namespace: web
    user: admin
  name: prod
current-context: prod
kind: Config
users:
- name: admin
  user:
    token: s3cret-token
`,
      });
      const dev = await keelctl(a, ['config', 'view', '--minify', '--context', 'dev', '-o', 'json']);
      expect(dev.code).toBe(0);
      expect(JSON.parse(dev.out)).toEqual({
        kind: 'Config',
        apiVersion: 'v1',
        clusters: [{ name: 'dev', cluster: { server: 'https://dev.example:6443', 'certificate-authority': join(dir, 'certs/ca.crt') } }],
        users: [{ name: 'alice', user: { 'client-certificate-data': 'DATA+OMITTED', 'client-key-data': 'DATA+OMITTED' } }],
        contexts: [{ name: 'dev', context: { cluster: 'dev', user: 'alice' } }],
        'current-context': 'dev',
      });
    });

    it('reads only --kubeconfig when given, and prints an empty config when there is none', async () => {
      const r = await keelctl(both, ['config', 'view', '--kubeconfig', b]);
      expect(r.out).toContain('current-context: lab\n');
      expect(r.out).toContain('server: https://shadowed.example:6443');
      expect(r.out).not.toContain('https://prod.example');
      const empty = join(dir, 'empty.yaml');
      writeFileSync(empty, '');
      expect(await keelctl(empty, ['config', 'view'])).toEqual({ code: 0, err: '', out: 'apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: ""\nkind: Config\nusers: null\n' });
      expect(await keelctl(empty, ['config', 'view', '--minify'])).toEqual({ code: 1, out: '', err: 'error: current-context must exist in order to minify\n' });
    });
  });

  describe('get-contexts and current-context', () => {
    it('lists contexts with the current one starred', async () => {
      expect(await keelctl(both, ['config', 'get-contexts'])).toEqual({
        code: 0,
        err: '',
        out: ['CURRENT   NAME   CLUSTER   AUTHINFO   NAMESPACE', '          dev    dev       alice      ', '          lab    lab       bob        experiments', '*         prod   prod      admin      web', ''].join('\n'),
      });
      expect(await keelctl(both, ['config', 'get-contexts', '-o', 'name'])).toEqual({ code: 0, err: '', out: 'dev\nlab\nprod\n' });
      expect(await keelctl(both, ['config', 'get-contexts', 'lab', 'nope'])).toEqual({
        code: 1,
        out: ['CURRENT   NAME   CLUSTER   AUTHINFO   NAMESPACE', '          lab    lab       bob        experiments', ''].join('\n'),
        err: 'error: context nope not found\n',
      });
    });

    it('prints the current context', async () => {
      expect(await keelctl(both, ['config', 'current-context'])).toEqual({ code: 0, err: '', out: 'prod\n' });
      expect(await keelctl(b, ['config', 'current-context'])).toEqual({ code: 0, err: '', out: 'lab\n' });
      writeFileSync(a, main.replace('current-context: prod\n', ''));
      expect(await keelctl(a, ['config', 'current-context'])).toEqual({ code: 1, out: '', err: 'error: current-context is not set\n' });
    });
  });

  describe('use-context', () => {
    it('writes the file whose current-context is in effect, leaving the others alone', async () => {
      expect(await keelctl(both, ['config', 'use-context', 'lab'])).toEqual({ code: 0, err: '', out: 'Switched to context "lab".\n' });
      expect((load(readFileSync(a, 'utf8')) as Record<string, unknown>)['current-context']).toBe('lab');
      expect(readFileSync(b, 'utf8')).toBe(extra);
      expect(await keelctl(both, ['config', 'current-context'])).toEqual({ code: 0, err: '', out: 'lab\n' });
      // The rest of the file survives the rewrite.
      expect((await keelctl(a, ['config', 'view', '--raw'])).out).toContain('token: s3cret-token');
    });

    it('writes the second file when only it sets current-context', async () => {
      writeFileSync(a, main.replace('current-context: prod\n', ''));
      expect(await keelctl(both, ['config', 'use-context', 'dev'])).toEqual({ code: 0, err: '', out: 'Switched to context "dev".\n' });
      expect((load(readFileSync(b, 'utf8')) as Record<string, unknown>)['current-context']).toBe('dev');
      expect(readFileSync(a, 'utf8')).toBe(main.replace('current-context: prod\n', ''));
    });

    it('writes --kubeconfig when given, and refuses unknown contexts', async () => {
      expect(await keelctl(both, ['config', 'use-context', 'lab', '--kubeconfig', b])).toEqual({ code: 0, err: '', out: 'Switched to context "lab".\n' });
      expect(await keelctl(both, ['config', 'use-context', 'nope'])).toEqual({ code: 1, out: '', err: 'error: no context exists with the name: "nope"\n' });
      expect(readFileSync(a, 'utf8')).toBe(main);
    });
  });
});
