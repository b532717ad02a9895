// A self-signed certificate for the real host names, made at run time with openssl, so Chromium can
// reach the sandbox at https://api.notion.com etc. The SPKI hash lets Chromium trust exactly this
// certificate (--ignore-certificate-errors-spki-list) instead of ignoring every certificate error.
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SANDBOX_HOSTS = [
  'www.notion.so',
  'api.notion.com',
  'api.openai.com',
  'generativelanguage.googleapis.com',
  'prod-files-secure.s3.us-west-2.amazonaws.com',
] as const;

export interface SandboxCertificate {
  key: string;
  cert: string;
  /** base64 SHA-256 of the certificate's SubjectPublicKeyInfo, as Chromium's flag wants it. */
  spkiHash: string;
}

export function makeCertificate(hosts: readonly string[] = SANDBOX_HOSTS): SandboxCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'inkling-cert-'));
  try {
    const config = [
      '[req]',
      'distinguished_name = dn',
      'x509_extensions = v3',
      'prompt = no',
      '[dn]',
      'CN = Inkling sandbox',
      '[v3]',
      `subjectAltName = ${[...hosts, 'localhost'].map((h) => `DNS:${h}`).join(', ')}, IP:127.0.0.1`,
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
    ].join('\n');
    writeFileSync(join(dir, 'openssl.cnf'), config);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-config',
        join(dir, 'openssl.cnf'),
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const spki = createPublicKey(cert).export({ type: 'spki', format: 'der' });
    return { key, cert, spkiHash: createHash('sha256').update(spki).digest('base64') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
