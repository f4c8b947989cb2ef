// X.509 certificates and PKCS#10 requests in DER, built over node:crypto's native ECDSA keys (issue, sign, parse CSRs).
//
// Why not a library: node:crypto already generates keys, signs, and parses/verifies certificates
// (X509Certificate); what it lacks is only the DER assembly of a TBSCertificate and the reading of
// a CSR. That is a few dozen lines of ASN.1 and keeps the API server free of a new dependency.
// Every certificate written here is checked by X509Certificate (and by `openssl verify` in tests).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject, type X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate request or issuance the PKI refused (bad CSR, wrong subject, bad key). */
export class CertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
  }
}

/** Subject of a certificate: the Kubernetes user (CN) and its groups (O). */
export interface Subject {
  commonName: string;
  organizations?: readonly string[];
}

export type Usage = 'ca' | 'server' | 'client';

export interface IssueOptions {
  subject: Subject;
  /** The subject's public key. */
  publicKey: KeyObject;
  /** The issuer; absent: self-signed with `signingKey`. */
  issuer?: { cert: X509Certificate; key: KeyObject };
  /** Self-signed only: the key that signs (the private half of `publicKey`). */
  signingKey?: KeyObject;
  usages: readonly Usage[];
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  notBefore: Date;
  notAfter: Date;
}

// ---------------------------------------------------------------------------------------
// DER writing

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && ((b[1] ?? 0) & 0x80) === 0) b = b.subarray(1);
  if (((b[0] ?? 0) & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function bitString(b: Buffer, unused = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

const OID = {
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Organizations first, then the common name, in the order Go's pkix.Name writes them. */
function name(s: Subject): Buffer {
  const rdns = (s.organizations ?? []).map((o) => set(seq(oid(OID.organization), utf8(o))));
  rdns.push(set(seq(oid(OID.commonName), utf8(s.commonName))));
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** KeyUsage bits, minimally encoded (trailing zero bits counted as unused). */
function keyUsage(ca: boolean): Buffer {
  // digitalSignature (bit 0) | keyEncipherment (bit 2) | keyCertSign (bit 5, CAs)
  const byte = 0x80 | 0x20 | (ca ? 0x04 : 0);
  let unused = 0;
  while (((byte >> unused) & 1) === 0) unused++;
  return bitString(Buffer.from([byte]), unused);
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  if (isIP(ip) === 6) {
    const [head = '', tail = ''] = ip.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
    const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    return Buffer.concat(groups.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
  }
  throw new CertificateError(`"${ip}" is not an IP address`);
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return seq(oid(OID.ecdsaWithSHA256));
  if (key.asymmetricKeyType === 'rsa') return seq(oid(OID.sha256WithRSA), tlv(0x05, Buffer.alloc(0)));
  throw new CertificateError(`cannot sign with a ${key.asymmetricKeyType ?? 'unknown'} key`);
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

/** Issues (signs) one certificate; returns it as PEM. */
export function issueCertificate(o: IssueOptions): string {
  const signer = o.issuer?.key ?? o.signingKey;
  if (signer === undefined) throw new CertificateError('a self-signed certificate needs signingKey');
  const ca = o.usages.includes('ca');
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const exts: Buffer[] = [
    extension(OID.keyUsage, true, keyUsage(ca)),
    extension(OID.basicConstraints, true, ca ? seq(bool(true)) : seq()),
    extension(OID.subjectKeyId, false, octets(keyId(o.publicKey))),
  ];
  const eku = o.usages.filter((u) => u !== 'ca').map((u) => oid(u === 'server' ? OID.serverAuth : OID.clientAuth));
  if (eku.length > 0) exts.push(extension(OID.extKeyUsage, false, seq(...eku)));
  if (o.issuer !== undefined) exts.push(extension(OID.authorityKeyId, false, seq(tlv(0x80, keyId(o.issuer.cert.publicKey)))));
  const sans = [...(o.dnsNames ?? []).map((d) => tlv(0x82, Buffer.from(d, 'ascii'))), ...(o.ipAddresses ?? []).map((ip) => tlv(0x87, ipBytes(ip)))];
  if (sans.length > 0) exts.push(extension(OID.subjectAltName, false, seq(...sans)));
  const alg = signatureAlgorithm(signer);
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    alg,
    o.issuer !== undefined ? subjectOf(o.issuer.cert.raw) : name(o.subject),
    seq(time(o.notBefore), time(o.notAfter)),
    name(o.subject),
    o.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, signer);
  return toPem('CERTIFICATE', seq(tbs, alg, bitString(signature)));
}

/** A new ECDSA P-256 key pair (what k3s and kubeadm use by default). */
export function generateKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function loadPrivateKey(pem: string | Buffer): KeyObject {
  return createPrivateKey(pem);
}

/** A PKCS#10 certificate signing request for `subject`, signed with `key`; PEM. */
export function createCsr(subject: Subject, key: KeyObject): string {
  const info = seq(integer(Buffer.from([0])), name(subject), createPublicKey(key).export({ type: 'spki', format: 'der' }), tlv(0xa0, Buffer.alloc(0)));
  const alg = signatureAlgorithm(key);
  return toPem('CERTIFICATE REQUEST', seq(info, alg, bitString(sign('sha256', info, key))));
}

// ---------------------------------------------------------------------------------------
// DER reading (just enough for certificates' names and CSRs)

interface Node {
  tag: number;
  /** The whole TLV. */
  raw: Buffer;
  content: Buffer;
}

function read(buf: Buffer, at = 0): Node {
  const tag = buf[at];
  let l = buf[at + 1];
  if (tag === undefined || l === undefined) throw new CertificateError('truncated DER');
  let off = at + 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    if (n === 0 || n > 4) throw new CertificateError('unsupported DER length');
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + (buf[off + i] ?? 0);
    off += n;
  }
  if (off + l > buf.length) throw new CertificateError('truncated DER');
  return { tag, raw: buf.subarray(at, off + l), content: buf.subarray(off, off + l) };
}

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < n.content.length; ) {
    const c = read(n.content, at);
    out.push(c);
    at += c.raw.length;
  }
  return out;
}

function oidString(n: Node): string {
  const b = n.content;
  const first = b[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let v = 0;
  for (const byte of b.subarray(1)) {
    v = v * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function parseName(n: Node): Subject {
  let commonName = '';
  const organizations: string[] = [];
  for (const rdn of children(n)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (!type || !value) continue;
      const id = oidString(type);
      const text = value.content.toString('utf8');
      if (id === OID.commonName) commonName = text;
      else if (id === OID.organization) organizations.push(text);
    }
  }
  return { commonName, organizations };
}

/** The DER Name of a certificate's subject, copied as-is (the issuer field of what it signs). */
function subjectOf(certDer: Buffer): Buffer {
  const tbs = children(read(certDer))[0];
  const fields = tbs ? children(tbs) : [];
  // version [0], serial, signature alg, issuer, validity, subject
  const subject = fields[0]?.tag === 0xa0 ? fields[5] : fields[4];
  if (!subject) throw new CertificateError('issuer certificate has no subject');
  return Buffer.from(subject.raw);
}

function fromPem(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`).exec(pem);
  if (!m?.[1]) throw new CertificateError(`not a PEM ${label}`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export interface ParsedCsr {
  subject: Subject;
  publicKey: KeyObject;
}

/** Parses a PEM CSR and checks its self-signature (proof the requester holds the key). */
export function parseCsr(pem: string): ParsedCsr {
  let info: Node | undefined;
  let alg: Node | undefined;
  let sig: Node | undefined;
  let fields: Node[];
  try {
    [info, alg, sig] = children(read(fromPem(pem, 'CERTIFICATE REQUEST')));
    fields = info ? children(info) : [];
  } catch (e: unknown) {
    if (e instanceof CertificateError) throw e;
    throw new CertificateError('malformed certificate request', { cause: e });
  }
  const [, subjectNode, spki] = fields;
  if (!info || !alg || !sig || !subjectNode || !spki || sig.tag !== 0x03) throw new CertificateError('malformed certificate request');
  const algId = children(alg)[0];
  const algOid = algId ? oidString(algId) : '';
  if (algOid !== OID.ecdsaWithSHA256 && algOid !== OID.sha256WithRSA) throw new CertificateError(`unsupported signature algorithm ${algOid}`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spki.raw), format: 'der', type: 'spki' });
  } catch (e: unknown) {
    throw new CertificateError('certificate request has an unreadable public key', { cause: e });
  }
  let valid: boolean;
  try {
    valid = verify('sha256', info.raw, publicKey, sig.content.subarray(1));
  } catch (e: unknown) {
    throw new CertificateError('certificate request signature does not verify', { cause: e });
  }
  if (!valid) throw new CertificateError('certificate request signature does not verify');
  return { subject: parseName(subjectNode), publicKey };
}

/** The subject (CN, O) of a PEM certificate. */
export function certificateSubject(cert: X509Certificate): Subject {
  const tbs = children(read(cert.raw))[0];
  const fields = tbs ? children(tbs) : [];
  const subject = fields[0]?.tag === 0xa0 ? fields[5] : fields[4];
  if (!subject) throw new CertificateError('certificate has no subject');
  return parseName(subject);
}

/** sha256 hex of bytes (the join token's CA hash is over the CA bundle exactly as /cacerts serves it). */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
