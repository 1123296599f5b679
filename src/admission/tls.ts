/**
 * Certificates for the webhook: a development CA and serving certificate
 * (`--self-signed DNSNAME`), and reading key and certificate files.
 */
import { webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface ServingCertificate {
  /** PEM of the serving certificate (the chain the server presents). */
  readonly cert: string;
  /** PEM (PKCS#8) of the serving key. */
  readonly key: string;
  /** PEM of the CA that signed it: the webhook configuration's caBundle. */
  readonly ca: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

function pemOf(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/**
 * A throwaway CA and a serving certificate for `dnsName` (plus 127.0.0.1 and
 * ::1, so loopback tests can verify it), valid for `days` days.
 */
export async function generateSelfSigned(dnsName: string, days = 365): Promise<ServingCertificate> {
  // @peculiar/x509 registers its classes through tsyringe, which needs the Reflect metadata API loaded first.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + days * 24 * 60 * 60 * 1000);
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=rampart admission CA (${dnsName})`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const servingKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serving = await x509.X509CertificateGenerator.create({
    subject: `CN=${dnsName}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: servingKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: dnsName },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const key = pemOf('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', servingKeys.privateKey));
  return { cert: serving.toString('pem') + '\n', key, ca: ca.toString('pem') + '\n' };
}

export async function readKeyPair(certFile: string, keyFile: string): Promise<{ cert: string; key: string }> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { cert, key };
}
