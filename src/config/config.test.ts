import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  test('defaults are the embedded set-up of CONTRACT.md', () => {
    const c = loadConfig({}, {});
    assert.equal(c.dataDir, path.resolve('./var'));
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.sftp.port, 2222);
    assert.equal(c.http.port, 8080);
    assert.equal(c.intake, true);
  });

  test('flags win over the environment, which wins over defaults', () => {
    const env = { LANYARD_DATA_DIR: '/tmp/env', LANYARD_SFTP_PORT: '2022', LANYARD_HTTP_PORT: '9090', DATABASE_URL: 'postgres://h/db', LANYARD_ROSTER_SETTLE: '5' };
    const fromEnv = loadConfig({}, env);
    assert.equal(fromEnv.dataDir, '/tmp/env');
    assert.equal(fromEnv.sftp.port, 2022);
    assert.equal(fromEnv.databaseUrl, 'postgres://h/db');
    assert.equal(fromEnv.rosterSettleSeconds, 5);
    const fromFlags = loadConfig({ dataDir: '/tmp/flag', sftpPort: '0', httpPort: 0, rosterSettle: '1' }, env);
    assert.equal(fromFlags.dataDir, '/tmp/flag');
    assert.equal(fromFlags.sftp.port, 0);
    assert.equal(fromFlags.http.port, 0);
    assert.equal(fromFlags.rosterSettleSeconds, 1);
    assert.equal(loadConfig({}, { LANYARD_INTAKE: 'off' }).intake, false);
    assert.equal(loadConfig({ intake: 'on' }, { LANYARD_INTAKE: 'off' }).intake, true);
  });

  test('the SFTP limits of issue 11 have safe defaults and can each be set', () => {
    assert.deepEqual(loadConfig({}, {}).sftp.limits, {
      maxReadBytes: 261120,
      connectionBufferBytes: 16 * 1024 * 1024,
      districtBufferBytes: 64 * 1024 * 1024,
      maxWriteGapBytes: 1024 * 1024,
      handlesPerSession: 256,
      handlesPerDistrict: 1024,
      channelsPerConnection: 10,
      unauthenticatedPerAddress: 10,
      unauthenticatedTotal: 200,
    });
    assert.equal(loadConfig({}, {}).sftp.credentialCheckSeconds, 5);
    assert.equal(loadConfig({}, { LANYARD_SFTP_CREDENTIAL_CHECK: '30' }).sftp.credentialCheckSeconds, 30);
    const set = loadConfig(
      {},
      {
        LANYARD_SFTP_READ_MAX: '32768',
        LANYARD_SFTP_CONNECTION_BUFFER: '8388608',
        LANYARD_SFTP_DISTRICT_BUFFER: '33554432',
        LANYARD_SFTP_WRITE_GAP: '0',
        LANYARD_SFTP_HANDLES: '16',
        LANYARD_SFTP_HANDLES_PER_DISTRICT: '64',
        LANYARD_SFTP_CHANNELS: '2',
        LANYARD_UNAUTHENTICATED_PER_ADDRESS: '3',
        LANYARD_UNAUTHENTICATED_TOTAL: '50',
      },
    ).sftp.limits;
    assert.deepEqual(Object.values(set), [32768, 8388608, 33554432, 0, 16, 64, 2, 3, 50]);
    assert.throws(() => loadConfig({}, { LANYARD_SFTP_READ_MAX: '100' }), /the largest READ answer must be at least 1024 bytes/);
    assert.throws(() => loadConfig({}, { LANYARD_SFTP_READ_MAX: '1048576' }), /at most 261120 bytes \(255 KiB\): SFTP clients refuse longer messages/);
    assert.throws(() => loadConfig({}, { LANYARD_SFTP_HANDLES: '0' }), /the open-file limit per session must be at least 1/);
  });

  test('a bad value stops start-up with a sentence naming the setting', () => {
    assert.throws(() => loadConfig({ sftpPort: 'twenty' }, {}), (e: unknown) => e instanceof ConfigError && /port must be a number.*sftpPort: "twenty"/.test(e.message));
    assert.throws(() => loadConfig({ httpPort: '70000' }, {}), /a port is between 0 and 65535/);
    assert.throws(() => loadConfig({ database: 'mysql://x' }, {}), /must start with postgres:\/\//);
    assert.throws(() => loadConfig({}, { LANYARD_INTAKE: 'maybe' }), /the intake setting is on or off \(intake: "maybe"\)/);
  });

  test("the blob store: file by default, or S3 with the AWS SDK's own variables", () => {
    assert.deepEqual(loadConfig({}, {}).blobStore, { kind: 'file' });
    const env = {
      LANYARD_BLOB_STORE: 's3://lanyard-photos/district-data/',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:8000',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
    };
    assert.deepEqual(loadConfig({}, env).blobStore, {
      kind: 's3',
      bucket: 'lanyard-photos',
      prefix: 'district-data/',
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: undefined },
    });
    // The flag wins; the S3-specific endpoint wins over the general one, as in the SDK; no key means the SDK's own chain.
    const c = loadConfig({ blobStore: 's3://other' }, { ...env, AWS_ENDPOINT_URL_S3: 'https://s3.example.org', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    assert.deepEqual(c.blobStore, { kind: 's3', bucket: 'other', prefix: '', endpoint: 'https://s3.example.org', region: 'eu-west-1', credentials: undefined });
    assert.equal(loadConfig({ blobStore: 'file' }, env).blobStore.kind, 'file');
  });

  test('a blob store setting that cannot work stops start-up with a sentence', () => {
    assert.throws(() => loadConfig({ blobStore: '/srv/blobs' }, {}), /the blob store is file or s3:\/\/BUCKET\/PREFIX \(blobStore: "\/srv\/blobs"\)/);
    assert.throws(() => loadConfig({ blobStore: 's3://Bad_Bucket/x' }, {}), /bucket name is 3 to 63 lower-case/);
    assert.throws(() => loadConfig({ blobStore: 's3://ok-bucket' }, { AWS_ENDPOINT_URL: '127.0.0.1:8000' }), /endpoint must be an http/);
    assert.throws(
      () => loadConfig({ blobStore: 's3://ok-bucket' }, { AWS_ACCESS_KEY_ID: 'AK' }),
      (e: unknown) => e instanceof ConfigError && /go together \(AWS_SECRET_ACCESS_KEY is not set\)/.test(e.message),
    );
  });
});
