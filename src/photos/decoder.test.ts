import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { decoderProcesses, DecoderStoppedError } from './decoder.js';

const portrait = (r: number, g: number, b: number): Promise<Buffer> =>
  sharp({ create: { width: 600, height: 800, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();

describe('decoding photos in child processes', () => {
  const decoder = decoderProcesses({ processes: 2, perProcess: 2 });
  after(() => decoder.close());

  test('gives the same profile and thumbnail sizes as decoding here, for many photos at once', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => portrait(10 * i, 100, 200).then((b) => decoder.normalise(b))));
    for (const r of results) {
      assert.ok(r.ok);
      assert.equal(Buffer.isBuffer(r.sizes.profile), true);
      assert.deepEqual((({ width, height }) => ({ width, height }))(r.dimensions.profile), { width: 600, height: 750 });
      assert.equal((await sharp(r.sizes.thumb).metadata()).width, 96);
    }
    const refused = await decoder.normalise(Buffer.from('not a picture at all'));
    assert.equal(refused.ok, false);
  });

  test('a decoder that dies fails only the photos it held; the next photo gets a new decoder', async () => {
    const photo = await portrait(200, 30, 30);
    const held = decoder.normalise(photo);
    for (const pid of decoder.pids()) process.kill(pid, 'SIGKILL');
    await assert.rejects(held, DecoderStoppedError);
    const next = await decoder.normalise(photo);
    assert.ok(next.ok);
  });

  test('decoders run under SCHED_IDLE: any other task on the machine takes the core from them at once', async () => {
    assert.ok(decoder.pids().length > 0);
    for (const pid of decoder.pids()) assert.equal(await schedulingPolicy(pid), SCHED_IDLE, `decoder ${pid}`);
    assert.notEqual(await schedulingPolicy(process.pid), SCHED_IDLE);
  });
});

describe('decoding photos in child processes at a given niceness', () => {
  const decoder = decoderProcesses({ processes: 1, perProcess: 1, priority: 5 });
  after(() => decoder.close());

  test('decoders run at a lower priority than the server', async () => {
    const r = await decoder.normalise(await portrait(20, 200, 20));
    assert.ok(r.ok);
    for (const pid of decoder.pids()) assert.ok(os.getPriority(pid) > os.getPriority(), `decoder ${pid} at ${os.getPriority(pid)}`);
  });
});

describe('decoding photos where SCHED_IDLE cannot be had', () => {
  // A chrt that fails at once, as one would where the system refuses the policy.
  const decoder = decoderProcesses({ processes: 1, perProcess: 1, chrt: '/bin/false' });
  after(() => decoder.close());

  test('the decoders start at a lower niceness instead, and decode', async () => {
    const r = await decoder.normalise(await portrait(20, 20, 200));
    assert.ok(r.ok);
    for (const pid of decoder.pids()) {
      assert.notEqual(await schedulingPolicy(pid), SCHED_IDLE);
      assert.ok(os.getPriority(pid) > os.getPriority(), `decoder ${pid} at ${os.getPriority(pid)}`);
    }
  });
});

/** Linux's SCHED_IDLE (sched.h). */
const SCHED_IDLE = 5;

/** The scheduling policy of a process: field 41 of /proc/<pid>/stat, counted after the command name (which may hold spaces). */
async function schedulingPolicy(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[41 - 3]);
}
