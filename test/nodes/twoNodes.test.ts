import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { portraitSvg } from '../fixtures/portrait.js';
import { startHaproxy, type RunningHaproxy } from '../helpers/haproxy.js';
import { REPO, Workspace, type DistrictSheet, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';
import { insertPeople } from '../helpers/people.js';
import { client, ensureBucket, keysUnder, removePrefix, serverEnv, testS3, uniquePrefix, type TestS3 } from '../helpers/s3.js';
import { WebClient } from '../helpers/webClient.js';
import { District, withDb } from '../photos/harness.js';

const PASSWORD = 'correct horse battery staple';
const BATCH = 500;
const BIG_BYTES = 120 * 1024 * 1024;
const BATCH_SCRIPT = path.join(REPO, 'test/helpers/paramiko_batch.py');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type BatchLine = { login: 'ok'; hostKey: string } | { login: 'failed'; error: string } | { sent: string; bytes: number } | { acked: string } | { failed: string; error: string } | { done: true };

/** paramiko uploading files one after the other, telling the test each acknowledgement as it comes. */
class Batch {
  readonly acked: string[] = [];
  readonly lines: BatchLine[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly finished: Promise<void>;

  /** `holdAfter`: the client stops sending each file at that many bytes and waits until the connection ends. */
  constructor(port: number, sheet: DistrictSheet, files: Array<[string, string]>, source: string, holdAfter?: number) {
    const child = spawn('/usr/bin/python3', [BATCH_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify({ port, username: sheet.slug, password: PASSWORD, source, hostKeys: sheet.hostKeys.map((k) => k.sha256), files, holdAfter }));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const said = JSON.parse(line) as BatchLine;
      this.lines.push(said);
      if ('acked' in said) this.acked.push(said.acked);
      for (const w of this.waiters.splice(0)) w();
    });
    this.finished = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.finished.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves once `seen` holds for what the client has said so far. */
  async until(seen: (lines: BatchLine[]) => boolean, what: string): Promise<void> {
    let exited = false;
    void this.finished.then(() => (exited = true));
    while (!seen(this.lines)) {
      if (exited) assert.fail(`the client ended before ${what}: ${JSON.stringify(this.lines.slice(-3))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  get failure(): string | undefined {
    const f = this.lines.find((l) => 'failed' in l || ('login' in l && l.login === 'failed'));
    return f ? JSON.stringify(f) : undefined;
  }

  get done(): boolean {
    return this.lines.some((l) => 'done' in l);
  }
}

/**
 * The hosted set-up end to end: two `lanyard serve` processes, each with a
 * data folder of its own, sharing only one PostgreSQL database and one bucket
 * on the Ceph RADOS Gateway, behind the HAProxy configuration the repository
 * ships. Clients are OpenSSH's sftp, paramiko and plain HTTP, as districts'
 * scripts and staff's browsers are.
 */
describe('two nodes behind HAProxy, sharing PostgreSQL and the object store', () => {
  let s: TestS3;
  let c: S3Client;
  let prefix: string;
  let ws: Workspace;
  let sheet: DistrictSheet;
  let token: string;
  let tmp: string;
  const nodes: RunningLanyard[] = [];
  let haproxy: RunningHaproxy;
  const photos: Array<{ localId: string; file: string; bytes: Buffer }> = [];

  const startNode = async () => {
    const dataDir = await fs.mkdtemp(path.join(tmp, 'node-'));
    // The second --data-dir wins: each node has a folder nobody else sees.
    return ws.start(['--data-dir', dataDir, '--blob-store', `s3://${s.bucket}/${prefix}`, '--trusted-proxies', '127.0.0.1'], {
      ...serverEnv(s),
      LANYARD_LOGIN_FAILURES_PER_ADDRESS: '2',
    });
  };

  before(async () => {
    // Fails (never skips) when the gateway is not configured: CI must run this.
    s = testS3();
    c = client(s);
    await ensureBucket(c, s.bucket);
    prefix = uniquePrefix('nodes');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'two-nodes-'));
    ws = await Workspace.create('postgres');
    sheet = await ws.district('springfield', PASSWORD);
    token = await ws.token('springfield');
    const staff = await ws.cli(['staff', 'create', 'springfield', '--email', 'office@springfield.k12.us', '--password', PASSWORD, '--role', 'admin']);
    assert.equal(staff.code, 0, staff.stderr);

    const people = [];
    for (let i = 0; i < BATCH; i++) {
      const localId = String(700000 + i);
      const bytes = await sharp(Buffer.from(portraitSvg(localId, [40 + (i % 180), 200 - (i % 150), 60 + ((i * 7) % 190)], 240, 320))).jpeg({ quality: 80 }).toBuffer();
      const file = path.join(tmp, `${localId}.jpg`);
      await fs.writeFile(file, bytes);
      photos.push({ localId, file, bytes });
      people.push({ localId, firstName: `Pupil${i}`, lastName: 'Batch' });
    }
    await insertPeople(ws, 'springfield', people);

    // Started together, as an orchestrator would: they share the migrations and the host keys.
    nodes.push(...(await Promise.all([startNode(), startNode()])));
    haproxy = await startHaproxy([nodes[0]!, nodes[1]!]);
  });
  after(async () => {
    await haproxy?.stop();
    for (const n of nodes) await n.stop();
    await ws?.dispose();
    if (c) {
      await removePrefix(c, s.bucket, prefix);
      c.destroy();
    }
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  const viaHaproxy = () => new District(haproxy, 'springfield', token);

  test('every node presents the host key on the welcome sheet', async () => {
    for (const [i, node] of nodes.entries()) {
      const b = new Batch(node.sftpPort, sheet, [], '127.0.0.2');
      await b.finished;
      assert.equal(b.failure, undefined, `node ${i + 1}`);
      assert.ok(b.done, `node ${i + 1} logged in with a host key from the sheet`);
    }
  });

  test('a district uploads through HAProxy and reads its photo back from either node', async () => {
    const photo = photos[0]!;
    const through = await opensshSftp({ port: haproxy.sftpPort, username: 'springfield', password: PASSWORD, bindAddress: '127.0.0.3' }, [`put ${photo.file} idphotos/${photo.localId}.jpg`]);
    assert.equal(through.code, 0, through.output);
    const [event] = await viaHaproxy().settled(0, 1);
    assert.equal(event!.outcome, 'linked', event!.message);
    for (const node of nodes) {
      const person = await new District(node, 'springfield', token).person(photo.localId);
      assert.equal(person.photo?.sha256, sha(photo.bytes));
      const back = path.join(tmp, `back-${node.sftpPort}.jpg`);
      const r = await opensshSftp({ port: node.sftpPort, username: 'springfield', password: PASSWORD, bindAddress: '127.0.0.3' }, [`get idphotos/${photo.localId}.jpg ${back}`]);
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(await fs.readFile(back), photo.bytes);
    }
  });

  test('wrong passwords count across nodes: two guesses, one on each node, lock the address out of both', async () => {
    for (const node of nodes) {
      const guess = await opensshSftp({ port: node.sftpPort, username: 'springfield', password: 'wrong', bindAddress: '127.0.0.6' }, ['ls']);
      assert.notEqual(guess.code, 0);
    }
    for (const node of nodes) {
      const right = await opensshSftp({ port: node.sftpPort, username: 'springfield', password: PASSWORD, bindAddress: '127.0.0.6' }, ['ls']);
      assert.notEqual(right.code, 0, "the guesser's address is locked on every node");
    }
    const district = await opensshSftp({ port: haproxy.sftpPort, username: 'springfield', password: PASSWORD, bindAddress: '127.0.0.7' }, ['ls idphotos']);
    assert.equal(district.code, 0, `the district itself still gets in: ${district.output}`);
  });

  test('a web session made on one node works on the other and through HAProxy', async () => {
    const one = new WebClient(nodes[0]!);
    await one.signIn('office@springfield.k12.us', PASSWORD);
    for (const server of [nodes[1]!, haproxy]) {
      const other = new WebClient(server);
      other.cookies = new Map(one.cookies);
      for (let i = 0; i < 2; i++) {
        const page = await other.page(`/people/${photos[0]!.localId}`);
        assert.equal(page.status, 200, 'signed in, not sent to /login');
        assert.match(page.html, /Pupil0 Batch/);
      }
    }
  });

  test('kill -9 of a node in the middle of a 500-photo batch and a large upload: nothing acknowledged is lost or done twice, the other node takes over, the retries succeed', async () => {
    const [victim, survivor] = [nodes[0]!, nodes[1]!];
    const big = path.join(tmp, 'staff-archive.bin');
    const bigBytes = randomBytes(BIG_BYTES);
    await fs.writeFile(big, bigBytes);
    const firstEvent = await viaHaproxy().lastEventId();

    // Straight to the victim (from addresses that are not the trusted proxy), so both are on the node that dies.
    const batchFiles = photos.slice(1).map((p): [string, string] => [p.file, `idphotos/${p.localId}.jpg`]);
    const batch = new Batch(victim.sftpPort, sheet, batchFiles, '127.0.0.10');
    // The large upload pauses at 40 MB, so it is in the middle when the node dies however fast the batch goes.
    const large = new Batch(victim.sftpPort, sheet, [[big, 'data/staff-archive.bin']], '127.0.0.11', 40 * 1024 * 1024);
    await batch.until((l) => l.filter((x) => 'acked' in x).length >= 150, '150 photos were acknowledged');
    await large.until((l) => l.some((x) => 'sent' in x && x.bytes >= 40 * 1024 * 1024), '40 MB of the large file were sent');
    // What the nodes were working on as the victim died: its share is left claimed, for the survivor to take over when the lease runs out.
    const claimed = await withDb(ws, (db) =>
      db.kysely.selectFrom('intake_events').select('id').where('outcome', '=', 'received').where('claimed_until', 'is not', null).execute(),
    );
    await victim.crash();
    await Promise.all([batch.finished, large.finished]);
    nodes.splice(0, 1);

    assert.ok(batch.failure, 'the batch was cut off by the crash');
    assert.ok(!large.done && large.acked.length === 0, 'the large upload was cut off by the crash');
    const acked = new Set(batch.acked);
    assert.ok(acked.size >= 150 && acked.size < batchFiles.length, `${acked.size} acknowledged before the crash`);

    // Nothing partial is visible: through HAProxy (now the survivor), every listed file is whole, and the large one is not there.
    const district = viaHaproxy();
    const listed = await listing(haproxy.sftpPort);
    assert.equal(listed.get('staff-archive.bin'), undefined, 'the interrupted large upload is not visible');
    const bySize = new Map(photos.map((p) => [`${p.localId}.jpg`, p.bytes.length]));
    for (const [name, size] of listed) if (bySize.has(name)) assert.equal(size, bySize.get(name), `${name} is listed whole`);
    for (const remote of acked) assert.ok(listed.has(path.posix.basename(remote)), `${remote} was acknowledged, so it is stored`);

    // The survivor works the queue, including the events the victim had claimed when it died.
    const afterCrash = await district.settled(firstEvent, acked.size, 120_000);
    const uploads = afterCrash.filter((e) => e.folder === 'idphotos' && e.action === 'upload');
    assert.ok(uploads.every((e) => e.outcome === 'linked'), JSON.stringify(uploads.filter((e) => e.outcome !== 'linked').slice(0, 3)));

    const byId = new Map(afterCrash.map((e) => [e.id, e]));
    for (const { id } of claimed) assert.equal(byId.get(id)?.outcome, 'linked', `event ${id}, claimed when the node died, was finished`);

    // The client runs its batch again from the first file it did not see acknowledged, and the large file.
    const rest = batchFiles.filter(([, remote]) => !acked.has(remote));
    const retry = new Batch(haproxy.sftpPort, sheet, rest, '127.0.0.12');
    const retryLarge = new Batch(haproxy.sftpPort, sheet, [[big, 'data/staff-archive.bin']], '127.0.0.13');
    await Promise.all([retry.finished, retryLarge.finished]);
    assert.equal(retry.failure, undefined);
    assert.ok(retry.done && retryLarge.done, retryLarge.failure);

    const all = await district.settled(firstEvent, batchFiles.length + 1, 180_000);
    const photoEvents = all.filter((e) => e.folder === 'idphotos' && e.action === 'upload');
    const perFile = countBy(photoEvents, (e) => e.file);
    for (const [name, n] of perFile) assert.ok(n <= 2, `${name}: ${n} uploads`);
    for (const remote of acked) assert.equal(perFile.get(path.posix.basename(remote)), 1, `${remote} was uploaded once, so it has one event`);
    assert.ok(
      photoEvents.every((e) => e.outcome === 'linked'),
      JSON.stringify(photoEvents.filter((e) => e.outcome !== 'linked').slice(0, 3)),
    );

    // Exactly once: each acknowledged photo made one photo version, and every person shows their own photo.
    const versions = await withDb(ws, (db) =>
      db.kysely
        .selectFrom('photo_versions')
        .innerJoin('people', 'people.id', 'photo_versions.person_id')
        .select(['people.local_id', (eb) => eb.fn.countAll<string>().as('n')])
        .groupBy('people.local_id')
        .execute(),
    );
    const versionsOf = new Map(versions.map((v) => [v.local_id, Number(v.n)]));
    for (const remote of acked) assert.equal(versionsOf.get(path.posix.basename(remote, '.jpg')), 1, `${remote} was processed once`);
    for (const p of photos.slice(1)) assert.equal((await district.person(p.localId)).photo?.sha256, sha(p.bytes), `${p.localId} shows the photo uploaded for them`);

    const back = path.join(tmp, 'archive-back.bin');
    const got = await opensshSftp({ port: survivor.sftpPort, username: 'springfield', password: PASSWORD, bindAddress: '127.0.0.14' }, [`get data/staff-archive.bin ${back}`]);
    assert.equal(got.code, 0, got.output);
    assert.equal(sha(await fs.readFile(back)), sha(bigBytes), 'the retried large file is whole');
    assert.deepEqual(await keysUnder(c, s.bucket, `${prefix}sha256/${sha(bigBytes).slice(0, 2)}/${sha(bigBytes)}`), [`${prefix}sha256/${sha(bigBytes).slice(0, 2)}/${sha(bigBytes)}`]);
  });
});

/** `ls -l idphotos` and `ls -l data` through a port: name → size. */
async function listing(port: number): Promise<Map<string, number>> {
  const r = await opensshSftp({ port, username: 'springfield', password: PASSWORD, bindAddress: '127.0.0.15' }, ['ls -l idphotos', 'ls -l data']);
  assert.equal(r.code, 0, r.output);
  const out = new Map<string, number>();
  for (const line of r.output.split('\n')) {
    const m = /^-[rwx-]{9}\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\w{3}\s+\d+\s+[\d:]+\s+(.+?)\s*$/.exec(line);
    if (m) out.set(path.posix.basename(m[2]!), Number(m[1]));
  }
  return out;
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}
