// ConfigMap, Secret and ServiceAccount rows: DATA counts, Secret TYPE, SECRETS.
import type { ConfigMap, Secret, ServiceAccount } from '@keelson/api';
import { since } from './duration';
import { ageColumn, column, definePrinter, nameColumn } from './printer';

export const configMapPrinter = definePrinter<ConfigMap>(
  [nameColumn, column('Data', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."), ageColumn],
  (cm, { now }) => [cm.metadata?.name ?? '', Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, since(cm.metadata?.creationTimestamp, now)],
);

/**
 * DATA counts the keys of `data`. Upstream merges write-only `stringData` into `data` before
 * storing; should a stored Secret still carry stringData, its keys count too, as they would there.
 */
export const secretPrinter = definePrinter<Secret>(
  [
    nameColumn,
    column('Type', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    column('Data', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
    ageColumn,
  ],
  (s, { now }) => [
    s.metadata?.name ?? '',
    s.type ?? '',
    new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]).size,
    since(s.metadata?.creationTimestamp, now),
  ],
);

export const serviceAccountPrinter = definePrinter<ServiceAccount>(
  [nameColumn, column('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn],
  (sa, { now }) => [sa.metadata?.name ?? '', sa.secrets?.length ?? 0, since(sa.metadata?.creationTimestamp, now)],
);
