import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { webhookLog } from '../../src/webhooks/webhooks.js';
import { DIALECTS } from '../helpers/databases.js';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS, withDb } from '../photos/harness.js';

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A district's own HTTPS endpoint, with a certificate made for the test: it answers the first push 500, later ones 200. */
async function startReceiver(dir: string): Promise<{ url: string; cert: string; received: Received[]; close(): Promise<void> }> {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ]);
  const received: Received[] = [];
  const server = https.createServer({ key: await fs.readFile(key), cert: await fs.readFile(cert) }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const status = received.length === 0 ? 500 : 200;
      received.push({ status, headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `https://127.0.0.1:${port}/lanyard-hook`, cert, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const validSignature = (secret: string, r: Received): boolean => {
  const timestamp = String(r.headers['x-lanyard-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`);
  const got = Buffer.from(String(r.headers['x-lanyard-signature']));
  return got.length === expected.length && timingSafeEqual(got, expected);
};

for (const dialect of DIALECTS) {
  describe(`a finished delivery is pushed to the district's webhook (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let district: District;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let secret: string;
    const dir = path.join(REPO, 'test-output', `webhook-${dialect}`);

    before(async () => {
      await fs.mkdir(dir, { recursive: true });
      receiver = await startReceiver(dir);
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await addPeople(ws, 'springfield', fixturePeople(['100199']));
      secret = (await ws.cliJson<{ webhook: { url: string; secret: string } }>(['district', 'webhook', 'springfield', receiver.url])).webhook.secret;
      // The server trusts the test's certificate as a district's server's certificate would be trusted.
      server = await ws.start([], { NODE_EXTRA_CA_CERTS: receiver.cert });
      district = new District(server, 'springfield', await ws.token('springfield'));
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      await receiver?.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('only an https:// address is taken', async () => {
      const r = await ws.cli(['district', 'webhook', 'springfield', 'http://127.0.0.1:9/hook']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /must be an https:\/\/ address/);
    });

    test('the report arrives signed with the secret, retried after the 500, and the log says so', async () => {
      await district.upload([path.join(PHOTOS, 'valid/004410.jpg'), path.join(PHOTOS, 'unmatched/100199.jpg')]);
      const deadline = Date.now() + 60_000;
      while (receiver.received.length < 2) {
        if (Date.now() > deadline) assert.fail(`pushes received: ${receiver.received.length}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const [first, second] = receiver.received;
      assert.equal(first!.status, 500);
      assert.equal(second!.body, first!.body, 'the same report, again');
      for (const r of [first!, second!]) {
        assert.equal(r.headers['content-type'], 'application/json');
        assert.ok(validSignature(secret, r), 'signed with the district secret');
        assert.ok(!validSignature('whsec_not-the-secret', r));
      }
      const push = JSON.parse(second!.body) as { type: string; district: string; delivery: { id: number; source: string; finishedAt: string; counts: Record<string, number>; problems: Array<{ file: string }> } };
      assert.equal(push.type, 'delivery.finished');
      assert.equal(push.district, 'springfield');
      assert.equal(push.delivery.source, 'sftp');
      assert.ok(push.delivery.finishedAt);
      assert.equal(push.delivery.counts.linked, 1);
      assert.equal(push.delivery.counts.unmatched, 1);
      assert.deepEqual(push.delivery.problems.map((p) => p.file), ['100199.jpg']);

      const logDeadline = Date.now() + 30_000;
      for (;;) {
        const log = await withDb(ws, async (db) => {
          const d = await db.kysely.selectFrom('districts').select('id').where('slug', '=', 'springfield').executeTakeFirstOrThrow();
          return webhookLog(db, d.id);
        });
        if (log[0]?.status === 'sent') {
          assert.equal(log.length, 1, 'one push per delivery');
          assert.equal(log[0].deliveryId, push.delivery.id);
          assert.equal(log[0].attempts, 2);
          assert.equal(log[0].lastResult, 'HTTP 200');
          break;
        }
        if (Date.now() > logDeadline) assert.fail(`log: ${JSON.stringify(log)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });
}
