// Secured listeners for tools/kafka/kafka-broker.mjs: an SSL listener and a SASL_SSL listener (SCRAM-SHA-256 and
// SCRAM-SHA-512) beside the plaintext one, from a PEM keystore and a file of SCRAM users. Dependency-free like the
// script that imports it. The controller and inter-broker traffic stay on plaintext listeners: this is a one-node
// test broker, and what is under test is the clients' side of the handshake. See README.md, "Secured listeners".

import fs from 'node:fs';
import path from 'node:path';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

// Characters the storage tool's --add-scram parser takes inside a quoted value without escaping.
const SCRAM_VALUE = /^[A-Za-z0-9._~!@#$%^&*+=:;/?-]{1,128}$/;

/**
 * Reads the security options into one object, or null when no secured listener is asked for.
 * `fail(message)` throws the caller's usage error.
 */
export function readSecurity(values, { port, controllerPort }, fail) {
  const sslPort = values['ssl-port'];
  const saslSslPort = values['sasl-ssl-port'];
  const keystore = values['ssl-keystore'];
  const usersFile = values['scram-users'];
  if (sslPort === undefined && saslSslPort === undefined) {
    if (keystore !== undefined || usersFile !== undefined) {
      fail('--ssl-keystore and --scram-users need --ssl-port or --sasl-ssl-port.');
    }
    return null;
  }
  const ports = {
    ssl: parseListenerPort(sslPort, '--ssl-port', fail),
    saslSsl: parseListenerPort(saslSslPort, '--sasl-ssl-port', fail),
  };
  const taken = [port, controllerPort];
  for (const [flag, value] of [
    ['--ssl-port', ports.ssl],
    ['--sasl-ssl-port', ports.saslSsl],
  ]) {
    if (value === null) continue;
    if (taken.includes(value)) fail(`${flag} ${value} is already used by another listener of this broker.`);
    taken.push(value);
  }
  if (keystore === undefined)
    fail(
      '--ssl-port and --sasl-ssl-port need --ssl-keystore FILE (PEM: private key, then certificate chain).',
    );
  const keystoreFile = path.resolve(keystore);
  if (!fs.existsSync(keystoreFile)) fail(`--ssl-keystore ${keystoreFile} does not exist.`);
  const pem = fs.readFileSync(keystoreFile, 'utf8');
  if (!pem.includes('-----BEGIN PRIVATE KEY-----') || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    fail(
      `--ssl-keystore ${keystoreFile} must hold an unencrypted PKCS#8 key (BEGIN PRIVATE KEY) and a certificate.`,
    );
  }
  if (ports.saslSsl !== null && usersFile === undefined)
    fail('--sasl-ssl-port needs --scram-users FILE (lines of user:password).');
  const users = usersFile === undefined ? [] : readScramUsers(path.resolve(usersFile), fail);
  return { sslPort: ports.ssl, saslSslPort: ports.saslSsl, keystoreFile, users };
}

function parseListenerPort(value, flag, fail) {
  if (value === undefined) return null;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${flag} must be a TCP port (1-65535).`);
  return port;
}

/** `user:password` per line; blank lines and lines starting with # are skipped. Passwords never reach an error. */
function readScramUsers(file, fail) {
  if (!fs.existsSync(file)) fail(`--scram-users ${file} does not exist.`);
  const users = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      const password = line.slice(colon + 1);
      if (colon < 1 || !SCRAM_VALUE.test(name) || !SCRAM_VALUE.test(password)) {
        fail(
          `--scram-users ${file} line ${index + 1} is not user:password (1-128 characters each, no spaces, quotes, commas or brackets).`,
        );
      }
      users.push({ name, password });
    });
  if (users.length === 0) fail(`--scram-users ${file} names no user.`);
  return users;
}

/** The listener names and addresses to add to `listeners`/`advertised.listeners`. */
export function securedListeners(security) {
  if (!security) return [];
  return [
    ...(security.sslPort === null ? [] : [`SSL://localhost:${security.sslPort}`]),
    ...(security.saslSslPort === null ? [] : [`SASL_SSL://localhost:${security.saslSslPort}`]),
  ];
}

/** server.properties lines for the secured listeners (empty without them). */
export function securityProperties(security, escape) {
  if (!security) return '';
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return `# Secured listeners (tools/kafka/security.mjs). The key is an unencrypted PKCS#8 PEM, so no ssl.key.password.
ssl.keystore.type=PEM
ssl.keystore.location=${escape(security.keystoreFile)}
# Clients are not asked for certificates: they authenticate with SCRAM on SASL_SSL, or not at all on SSL.
ssl.client.auth=none
${
  security.saslSslPort === null
    ? ''
    : `sasl.enabled.mechanisms=${SCRAM_MECHANISMS.join(',')}
${SCRAM_MECHANISMS.map((m) => `listener.name.sasl_ssl.${m.toLowerCase()}.sasl.jaas.config=${jaas}`).join('\n')}
`
}`;
}

/** The protocol map entries for the secured listeners. */
export function securityProtocolMap(security) {
  return securedListeners(security).map((listener) => {
    const name = listener.split(':')[0];
    return `${name}:${name}`;
  });
}

/**
 * `kafka-storage format` arguments that store the SCRAM users (both mechanisms) in the cluster's bootstrap metadata
 * (KIP-900). They only take effect when a data dir is formatted: changing the users needs --fresh.
 */
export function scramFormatArgs(security) {
  if (!security) return [];
  return security.users.flatMap(({ name, password }) =>
    SCRAM_MECHANISMS.flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name="${name}",password="${password}"]`,
    ]),
  );
}

/** Where the broker answers, for the JSON line and the status: `{ ssl, saslSsl }` as host:port, or null. */
export function securedAddresses(security) {
  return {
    ssl: security?.sslPort ? `localhost:${security.sslPort}` : null,
    saslSsl: security?.saslSslPort ? `localhost:${security.saslSslPort}` : null,
  };
}
