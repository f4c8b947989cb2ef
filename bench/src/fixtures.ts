// Realistic ~1 KB objects the benchmarks write: a ConfigMap and a Pod as a controller would create them.
import type { KubeObject } from '@keelson/api';

/** The resources the API server benchmark can create. */
export type BenchResource = 'configmaps' | 'pods';

/** An application's config: a properties file, a small nginx snippet and a few flags (~1 KB of JSON). */
export function configMap(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: { app: 'web', tier: 'frontend', 'app.kubernetes.io/managed-by': 'keelson-bench' },
      annotations: { 'keelson.io/config-hash': '5f2b1c9e8d7a6b4c3e2f1a0b9c8d7e6f' },
    },
    data: {
      'application.properties': [
        'server.port=8080',
        'server.shutdown=graceful',
        'spring.datasource.url=jdbc:postgresql://db.bench.svc.cluster.local:5432/web',
        'spring.datasource.hikari.maximum-pool-size=16',
        'management.endpoints.web.exposure.include=health,info,prometheus',
        'logging.level.root=INFO',
        'cache.ttl=300s',
      ].join('\n'),
      'nginx.conf': [
        'upstream app { server 127.0.0.1:8080; keepalive 32; }',
        'server {',
        '  listen 80;',
        '  location /healthz { return 200; }',
        '  location / { proxy_pass http://app; proxy_set_header Host $host; }',
        '}',
      ].join('\n'),
      FEATURE_FLAGS: 'checkout-v2,search-suggestions,dark-mode',
      LOG_FORMAT: 'json',
    },
  };
}

/** A Pod as a ReplicaSet controller creates it: ~1 KB of JSON. */
export function pod(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      generateName: 'web-7d4b9c8f6d-',
      labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '7d4b9c8f6d' },
      annotations: { 'keelson.io/created-by': 'replicaset-controller' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d4b9c8f6d',
          uid: '0e9d8c7b-6a59-4837-a261-5f4e3d2c1b0a',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/web:1.25.3',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    },
  };
}

export function objectFor(resource: BenchResource, name: string, namespace: string): KubeObject {
  return resource === 'pods' ? pod(name, namespace) : configMap(name, namespace);
}
