// The kubelet's serving certificate: a self-signed EC pair made with the openssl CLI into <root>/pki/ (kept across restarts).
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServingCert {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
}

/** Failure to make or read the serving certificate. */
export class ServingCertError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServingCertError';
  }
}

/**
 * The given pair, else `<pkiDir>/kubelet.crt|key` as upstream's --cert-dir keeps them, made when missing:
 * `openssl req -x509 -newkey ec` (P-256, one year) with the node's name and addresses as subjectAltNames.
 */
export async function ensureServingCert(pkiDir: string, nodeName: string, addresses: string[], given?: { certFile: string; keyFile: string }): Promise<ServingCert> {
  const certFile = given?.certFile ?? path.join(pkiDir, 'kubelet.crt');
  const keyFile = given?.keyFile ?? path.join(pkiDir, 'kubelet.key');
  try {
    return { cert: await readFile(certFile), key: await readFile(keyFile), certFile, keyFile };
  } catch (e: unknown) {
    if (given !== undefined) throw new ServingCertError(`reading the kubelet's serving certificate ${certFile}: ${(e as Error).message}`, { cause: e });
  }
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const sans = [`DNS:${nodeName}`, 'DNS:localhost', ...[...new Set(['127.0.0.1', ...addresses])].filter((a) => isIP(a) !== 0).map((a) => `IP:${a}`)];
  try {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '365',
      '-subj', `/CN=${nodeName}@${Math.floor(Date.now() / 1000)}`,
      '-addext', `subjectAltName=${sans.join(',')}`,
    ]);
  } catch (e: unknown) {
    await rm(keyFile, { force: true });
    await rm(certFile, { force: true });
    throw new ServingCertError(`openssl could not make the kubelet's serving certificate: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`, { cause: e });
  }
  return { cert: await readFile(certFile), key: await readFile(keyFile), certFile, keyFile };
}
