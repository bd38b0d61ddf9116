import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3BlobStoreOptions } from '../../src/blobs/s3BlobStore.js';

/**
 * The S3 server tests run against: the Ceph RADOS Gateway that
 * scripts/ceph-rgw.sh starts (.ci/run does, and exports what it prints).
 * Variables of their own, never AWS_*, so a developer's real AWS settings are
 * never what a test writes to. Not set means the S3 tests fail, saying how to
 * start the gateway: a store that was never tested must not look tested.
 */
export interface TestS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Shared by test files; each works under a prefix of its own (uniquePrefix). */
  bucket: string;
}

export const START_HINT =
  'The S3 tests need the test gateway: run eval "$(scripts/ceph-rgw.sh start .tmp/ceph)" (bash .ci/run does this; root installs the Ceph packages), ' +
  'then the tests again; scripts/ceph-rgw.sh stop .tmp/ceph stops it.';

export function testS3(): TestS3 {
  const endpoint = process.env.LANYARD_TEST_S3_ENDPOINT;
  const accessKeyId = process.env.LANYARD_TEST_S3_ACCESS_KEY_ID;
  const secretAccessKey = process.env.LANYARD_TEST_S3_SECRET_ACCESS_KEY;
  if (!endpoint || !accessKeyId || !secretAccessKey) {
    throw new Error(`LANYARD_TEST_S3_ENDPOINT, LANYARD_TEST_S3_ACCESS_KEY_ID and LANYARD_TEST_S3_SECRET_ACCESS_KEY are not all set. ${START_HINT}`);
  }
  return { endpoint, accessKeyId, secretAccessKey, region: 'us-east-1', bucket: 'lanyard-test' };
}

export const uniquePrefix = (what: string) => `${what}-${process.pid}-${randomBytes(4).toString('hex')}/`;

/** Options for createS3BlobStore against the test gateway. */
export function storeOptions(s: TestS3, prefix: string, bucket = s.bucket): S3BlobStoreOptions {
  return { bucket, prefix, endpoint: s.endpoint, region: s.region, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } };
}

/** What `lanyard serve --blob-store s3://…` needs in its environment to reach the test gateway. */
export function serverEnv(s: TestS3): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: s.endpoint,
    AWS_REGION: s.region,
    AWS_ACCESS_KEY_ID: s.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s.secretAccessKey,
    // Empty is unset to Lanyard: whatever the test runner's environment has must not win over the above.
    AWS_ENDPOINT_URL_S3: '',
    AWS_SESSION_TOKEN: '',
    AWS_DEFAULT_REGION: '',
  };
}

export function client(s: TestS3): S3Client {
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
  });
}

export async function ensureBucket(c: S3Client, bucket: string): Promise<void> {
  try {
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if ((err as Error).name !== 'BucketAlreadyOwnedByYou' && (err as Error).name !== 'BucketAlreadyExists') throw err;
  }
}

/** Every object key under a prefix. */
export async function keysUnder(c: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Multipart uploads not finished under a prefix. */
export async function uploadsUnder(c: S3Client, bucket: string, prefix: string): Promise<Array<{ key: string; uploadId: string }>> {
  const page = await c.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (page.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
}

/** Removes everything a test left under its prefix. */
export async function removePrefix(c: S3Client, bucket: string, prefix: string): Promise<void> {
  for (const u of await uploadsUnder(c, bucket, prefix)) await c.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }));
  for (const k of await keysUnder(c, bucket, prefix)) await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: k }));
}
