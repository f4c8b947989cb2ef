// Every example manifest in manifests/ is accepted by Keelson's defaulting and validation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { withDefaults } from './defaults';
import { lookupKind } from './registry';
import type { KubeObject } from './types/meta';
import { validateObject } from './validation';

const root = path.join(__dirname, '..', '..', 'manifests');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

const files = yamlFiles(root);

describe('example manifests', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s is valid', (_name, file) => {
    const docs = loadAll(fs.readFileSync(file, 'utf8')).filter((d): d is KubeObject => d !== null && typeof d === 'object');
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const info = lookupKind(String(doc.apiVersion), String(doc.kind));
      expect(info).toBeDefined();
      if (!info) continue;
      const obj = withDefaults(info.kind, doc);
      if (info.namespaced) obj.metadata = { namespace: 'default', ...obj.metadata };
      expect(validateObject(info, obj)).toEqual([]);
    }
  });
});
