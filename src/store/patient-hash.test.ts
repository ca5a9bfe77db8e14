import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HashKeyError, KEY_FILE, hashPatient, resolveHashKey } from './patient-hash';

describe('hashPatient', () => {
  const key = Buffer.alloc(32, 1);

  it('gives the same hash for the same reference and key, as 64 hex characters', () => {
    const hash = hashPatient(key, 'Patient/123');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashPatient(Buffer.alloc(32, 1), 'Patient/123')).toBe(hash);
    expect(hash).not.toContain('123');
  });

  it('gives another hash for another key or another reference', () => {
    const hash = hashPatient(key, 'Patient/123');
    expect(hashPatient(Buffer.alloc(32, 2), 'Patient/123')).not.toBe(hash);
    expect(hashPatient(key, 'Patient/124')).not.toBe(hash);
  });

  it('is HMAC-SHA256 (RFC 4231 test case 2)', () => {
    expect(hashPatient(Buffer.from('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
    );
  });
});

describe('resolveHashKey', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ruggensteun-hash-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses a configured key, hex or base64, for either store', async () => {
    const bytes = randomBytes(32);
    for (const embedded of [true, false]) {
      expect(await resolveHashKey({ configuredKey: bytes.toString('hex'), dataDir, embedded })).toEqual(bytes);
      expect(await resolveHashKey({ configuredKey: bytes.toString('base64'), dataDir, embedded })).toEqual(bytes);
      expect(await resolveHashKey({ configuredKey: bytes.toString('base64url'), dataDir, embedded })).toEqual(bytes);
      expect(await resolveHashKey({ configuredKey: ` ${bytes.toString('base64')}\n`, dataDir, embedded })).toEqual(
        bytes
      );
    }
    // A configured key wins over a persisted one, and nothing is written.
    await expect(stat(path.join(dataDir, KEY_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a configured key that is too short or not hex or base64', async () => {
    await expect(
      resolveHashKey({ configuredKey: randomBytes(16).toString('hex'), dataDir, embedded: true })
    ).rejects.toThrow(/16 bytes long; it must be at least 32/);
    await expect(
      resolveHashKey({ configuredKey: randomBytes(31).toString('base64'), dataDir, embedded: true })
    ).rejects.toThrow(HashKeyError);
    await expect(resolveHashKey({ configuredKey: 'not a key!', dataDir, embedded: true })).rejects.toThrow(
      /neither hex nor base64/
    );
  });

  it('generates a key for the embedded store once, keeps it private and reuses it on the next start', async () => {
    const first = await resolveHashKey({ dataDir, embedded: true });
    expect(first).toHaveLength(32);
    const file = path.join(dataDir, KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toEqual(first);

    const second = await resolveHashKey({ dataDir, embedded: true });
    expect(second).toEqual(first);
    expect(hashPatient(second, 'Patient/123')).toBe(hashPatient(first, 'Patient/123'));
  });

  it('creates the data folder if needed, and ends with one key when several starts race', async () => {
    const nested = path.join(dataDir, 'not', 'yet');
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => resolveHashKey({ dataDir: nested, embedded: true }))
    );
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
    expect((await readFile(path.join(nested, KEY_FILE), 'utf8')).trim()).toBe(keys[0]!.toString('base64'));
  });

  it('refuses a damaged key file instead of silently making a new key', async () => {
    const file = path.join(dataDir, KEY_FILE);
    await writeFile(file, 'c2hvcnQ=\n', { mode: 0o600 });
    await expect(resolveHashKey({ dataDir, embedded: true })).rejects.toThrow(/patient-hash\.key is 5 bytes long/);
    expect(await readFile(file, 'utf8')).toBe('c2hvcnQ=\n');
  });

  it('refuses PostgreSQL without a configured key, with a clear explanation', async () => {
    await expect(resolveHashKey({ dataDir, embedded: false })).rejects.toThrow(HashKeyError);
    await expect(resolveHashKey({ configuredKey: '  ', dataDir, embedded: false })).rejects.toThrow(
      /must be configured when the store is a PostgreSQL database/
    );
    await expect(stat(path.join(dataDir, KEY_FILE))).rejects.toThrow(/ENOENT/);
  });
});
