/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI, for loopback HTTPS servers that
 * stand in for Azure services (bearer tokens are only ever sent over HTTPS). Clients trust it explicitly; TLS
 * verification stays on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  cert: string;
  key: string;
}

export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'loopback-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    // prettier-ignore
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
    try {
      execFileSync('openssl', args, { stdio: 'pipe' });
    } catch (error) {
      throw new Error(
        `A loopback HTTPS server needs the openssl CLI (1.1.1+) to make a throwaway certificate: ${String(error)}`,
        { cause: error },
      );
    }
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
