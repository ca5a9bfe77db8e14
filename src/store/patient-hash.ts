import { createHmac, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Patients are stored as a keyed hash of their reference, never in clear. With the key, a given patient
 * can be found again (hash the reference, look it up); without it, the hashes cannot be reversed by
 * hashing every possible patient id, which an unkeyed hash would allow.
 */

/** Smallest accepted key: the output size of SHA-256. */
export const MIN_KEY_BYTES = 32;

/** The file, in the data folder, that holds the key generated for the embedded store. */
export const KEY_FILE = 'patient-hash.key';

/**
 * @param key - the secret key (see resolveHashKey)
 * @param patientReference - e.g. `Patient/123` or the context's patientId
 * @returns HMAC-SHA256 of the reference, lower-case hex (64 characters)
 */
export function hashPatient(key: Buffer, patientReference: string): string {
  return createHmac('sha256', key).update(patientReference, 'utf8').digest('hex');
}

/** The hash key is missing or unusable; the message says what to configure. */
export class HashKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HashKeyError';
  }
}

/**
 * Finds the key to hash patient references with.
 * - A configured key wins. It is hex when it consists of an even number of hex digits, otherwise
 *   base64 (or base64url); either way it must decode to at least 32 bytes.
 * - Otherwise, for the embedded store, a random 32-byte key is generated on first start, written to
 *   `<dataDir>/patient-hash.key` (base64, mode 0600) and read back on every later start: the key must
 *   never change, or the same patient would get a different hash.
 * - Otherwise (PostgreSQL without a configured key) this throws: instances sharing one database must
 *   share one key, so it cannot be generated locally.
 * @throws HashKeyError
 */
export async function resolveHashKey(options: {
  configuredKey?: string;
  dataDir: string;
  embedded: boolean;
}): Promise<Buffer> {
  const configured = options.configuredKey?.trim();
  if (configured) {
    return decodeKey(configured, 'The configured patient hash key');
  }
  if (!options.embedded) {
    throw new HashKeyError(
      'A patient hash key must be configured when the store is a PostgreSQL database: every instance that ' +
        `writes to it must hash patients with the same key. Use at least ${MIN_KEY_BYTES} random bytes, ` +
        'base64 or hex, e.g. the output of `openssl rand -base64 32`. Keep it secret and never change it.'
    );
  }
  return persistedKey(options.dataDir);
}

function decodeKey(text: string, what: string): Buffer {
  let key: Buffer;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) {
    key = Buffer.from(text, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  } else {
    throw new HashKeyError(`${what} is neither hex nor base64`);
  }
  if (key.length < MIN_KEY_BYTES) {
    throw new HashKeyError(`${what} is ${key.length} bytes long; it must be at least ${MIN_KEY_BYTES} bytes`);
  }
  return key;
}

async function persistedKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) {
    return existing;
  }
  await mkdir(dataDir, { recursive: true });
  // Written to a private temporary file, then linked into place: link fails if another process got
  // there first, so two instances starting together still end up with one key, and a reader never sees
  // a half-written file.
  const key = randomBytes(MIN_KEY_BYTES);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
    const winner = await readKeyFile(file);
    if (!winner) {
      throw error;
    }
    return winner;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  // A damaged file is an error, not a reason to make a new key: that would silently re-key every patient.
  return decodeKey(text.trim(), `The patient hash key in ${file}`);
}
