import type { SFTPWrapper } from 'ssh2';
import type { Upload } from '../dropbox/dropbox.js';
import { LanyardError } from '../shared/errors.js';
import type { DistrictSpace } from '../quota/quota.js';
import { ok } from './status.js';
import { sendPacket, type AdvertisedExtension } from './version.js';

const SSH_FXP_EXTENDED_REPLY = 201;

/**
 * The largest SFTP packet ssh2 takes in (its OpenSSH-sized limit: a longer
 * one ends the session), so the most a client may put in one WRITE is that
 * less room for the WRITE's own header, as OpenSSH's sftp-server reckons it.
 */
export const MAX_PACKET_BYTES = 256 * 1024;
export const MAX_WRITE_BYTES = MAX_PACKET_BYTES - 1024;

/** What the VERSION reply names; OpenSSH's own version numbers for each. */
export const ADVERTISED: readonly AdvertisedExtension[] = [
  { name: 'posix-rename@openssh.com', data: '1' },
  { name: 'statvfs@openssh.com', data: '2' },
  { name: 'fstatvfs@openssh.com', data: '2' },
  // Named so OpenSSH's `ln` asks and shows our sentence, rather than saying the server lacks it.
  { name: 'hardlink@openssh.com', data: '1' },
  { name: 'fsync@openssh.com', data: '1' },
  { name: 'limits@openssh.com', data: '1' },
];

/** What one session offers the extensions: its open files, its rename, and the district's space. */
export interface ExtensionContext {
  /** The upload behind a handle; 'other' for a folder or download handle. Throws for a handle not open. */
  fileOf(handle: Buffer): Upload | 'other';
  rename(reqId: number, from: string, to: string): Promise<void>;
  space(): Promise<DistrictSpace>;
  maxReadBytes: number;
  handlesPerSession: number;
}

/** Answers one EXTENDED request, or throws a LanyardError with the sentence for the client. */
export async function answerExtended(sftp: SFTPWrapper, reqId: number, name: string, data: Buffer | undefined, ctx: ExtensionContext): Promise<void> {
  const args = data ?? Buffer.alloc(0);
  switch (name) {
    case 'posix-rename@openssh.com': {
      const [from, to] = readStrings(args, 2);
      if (from === undefined || to === undefined) throw new LanyardError('invalid', 'Malformed rename request.');
      return ctx.rename(reqId, from.toString('utf8'), to.toString('utf8'));
    }
    case 'limits@openssh.com':
      return reply(sftp, reqId, [MAX_PACKET_BYTES, ctx.maxReadBytes, MAX_WRITE_BYTES, ctx.handlesPerSession]);
    case 'fsync@openssh.com': {
      const [handle] = readStrings(args, 1);
      if (handle === undefined) throw new LanyardError('invalid', 'Malformed fsync request.');
      const file = ctx.fileOf(handle);
      // Nothing written through a folder or a download: it is as durable as it will be.
      if (file !== 'other') await file.flush();
      return ok(sftp, reqId);
    }
    case 'statvfs@openssh.com':
    case 'fstatvfs@openssh.com': {
      const [target] = readStrings(args, 1);
      if (target === undefined) throw new LanyardError('invalid', `Malformed ${name} request.`);
      if (name === 'fstatvfs@openssh.com') ctx.fileOf(target);
      return reply(sftp, reqId, statvfs(await ctx.space()));
    }
    case 'hardlink@openssh.com':
      throw new LanyardError('unsupported', 'Links are not supported here: upload the file itself, or rename it.');
    default:
      throw new LanyardError('unsupported', `This server does not support ${name}.`);
  }
}

const BLOCK = 4096;
/** SSH_FXE_STATVFS_ST_NOSUID: nothing here runs. */
const ST_NOSUID = 2;
const NAME_MAX = 255;

/**
 * The district's quota as a file system: its size is the byte quota, its free
 * space what is left of it (in 4 KiB blocks, rounded down, so a client never
 * sees more room than there is), its inodes the file quota.
 */
export function statvfs(s: DistrictSpace): number[] {
  const blocks = Math.floor(s.quotaBytes / BLOCK);
  const free = Math.floor(Math.max(0, s.quotaBytes - s.usedBytes) / BLOCK);
  const filesFree = Math.max(0, s.quotaFiles - s.usedFiles);
  return [BLOCK, BLOCK, blocks, free, free, s.quotaFiles, filesFree, filesFree, s.districtId, ST_NOSUID, NAME_MAX];
}

function reply(sftp: SFTPWrapper, reqId: number, values: readonly number[]) {
  const buf = Buffer.alloc(4 + 1 + 4 + 8 * values.length);
  buf.writeUInt32BE(buf.length - 4, 0);
  buf[4] = SSH_FXP_EXTENDED_REPLY;
  buf.writeUInt32BE(reqId, 5);
  values.forEach((v, i) => buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))), 9 + 8 * i));
  sendPacket(sftp, buf);
}

function readStrings(buf: Buffer, count: number): Array<Buffer | undefined> {
  const out: Array<Buffer | undefined> = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 4 > buf.length) return [...out, undefined];
    const len = buf.readUInt32BE(p);
    if (p + 4 + len > buf.length) return [...out, undefined];
    out.push(buf.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return out;
}
