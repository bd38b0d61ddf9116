import type { Socket } from 'node:net';
import type { Connection, SFTPWrapper } from 'ssh2';

/** What one SFTP channel's requests may hold of a connection's budget. */
export interface ChannelFlow {
  /** Runs a request's handler now, or (in arrival order) once the connection is under its budget again. */
  run(fn: () => void): void;
  /** Bytes a request holds while it is worked on: a WRITE's data until the disk has it, a READ's length until it is answered. */
  add(bytes: number): void;
  remove(bytes: number): void;
}

/** ssh2's window per channel (its Channel.js MAX_WINDOW): what a client may send before it is granted more. */
const CHANNEL_WINDOW = 2 * 1024 * 1024;
/** ssh2 grants more once the window is down to half. */
const WINDOW_THRESHOLD = CHANNEL_WINDOW / 2;
/** What may arrive past the window (a packet in flight) before it counts as ignoring flow control. */
const WINDOW_SLACK = 256 * 1024;

interface SftpInternals {
  push(data: Buffer | null): unknown;
  _buffer: Buffer[];
  _waitChanDrain?: boolean;
  incoming: { window: number; state: string };
  outgoing: { id: number; state: string };
}

interface ProtocolInternals {
  channelData(chan: number, data: Buffer | string): void;
  channelWindowAdjust(chan: number, amount: number): void;
}

const REPLIES = ['status', 'data', 'handle', 'name', 'attrs'] as const;

interface Channel {
  sftp: SftpInternals;
  push: (data: Buffer | null) => unknown;
  /** Answer bytes ssh2 holds for this channel until the client opens its window. */
  queued: number;
  /** Handlers of requests parsed while the connection was over budget, in order. */
  deferred: Array<() => void>;
  /** Channel data that arrived while over budget, not yet parsed: bounded by the window the client was granted. */
  stash: Array<Buffer | null>;
  stashBytes: number;
  inReply: boolean;
}

/**
 * Keeps what one connection holds in memory bounded, however its client
 * pipelines and whether or not it reads its answers. ssh2 has no
 * backpressure of its own: it parses and emits every request that arrives,
 * and queues every answer that does not fit the client's window, without
 * limit. Three things are counted:
 *
 * - requests being worked on (`add`/`remove`: WRITE data on its way to disk,
 *   READs being read);
 * - answers ssh2 holds because the client has not opened its window;
 * - bytes written to the socket that the kernel has not taken yet.
 *
 * Past `highWater` of the three together, the connection's SFTP channels are
 * held: requests already parsed wait in order, new channel data is kept
 * unparsed, and the client is granted no more window, so (playing by SSH's
 * rules) it must stop sending after what it was already granted. The socket
 * itself keeps being read, because the client's window adjustments, the
 * only way out, arrive there. Below `lowWater` everything goes on in order.
 *
 * The socket is paused only for what drains without our reading: work on
 * the disk and unsent socket bytes (a client that does not read TCP at all,
 * or floods global requests). Pausing it for a closed window would never end:
 * the window adjustment would wait behind the pause.
 *
 * Once logged in, a connection also counts towards its district's pool
 * (`FlowPool`): past the pool's high water all the district's connections
 * are held alike, so a district's many sessions together hold a bounded
 * amount, not twenty times a connection's.
 */
export class ConnectionFlow {
  private busy = 0;
  private queued = 0;
  private socketPaused = false;
  /** Over this connection's own budget. */
  private ownHeld = false;
  /** What `held` was at the last check: changes start or end the watchdog and release. */
  private wasHeld = false;
  private pool: FlowPool | undefined;
  private closed = false;
  private releasing = false;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly channels = new Map<number, Channel>();
  private readonly lowWater: number;
  private proto: ProtocolInternals | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly highWater: number,
    /** A client that sent far past its window: it ignores flow control, so it is cut off. */
    private readonly onViolation: (why: string) => void,
  ) {
    this.lowWater = Math.floor(highWater / 4);
    socket.on('drain', () => this.check());
    socket.once('close', () => {
      // Counts that still change afterwards (a READ finishing) must not put the connection back in its pool.
      this.closed = true;
      clearInterval(this.watchdog);
      this.pool?.leave(this);
    });
  }

  /** Whether requests wait: this connection, or its district's pool, is over budget. */
  private get held(): boolean {
    return this.ownHeld || (this.pool?.held ?? false);
  }

  /** From login on, this connection also counts towards its district's pool. */
  joinPool(pool: FlowPool): void {
    this.pool = pool;
    this.check();
  }

  /** After any write to the socket: a client that reads nothing must not make us buffer without end. */
  afterWrite(): void {
    if (!this.socketPaused && this.socket.writableLength > this.highWater) this.check();
  }

  /**
   * Puts an SFTP channel under the connection's budget. Reaches into ssh2
   * (checked; if its shape changed, the channel still works, with only the
   * request-byte count and the socket pause, as before this existed).
   */
  attach(client: Connection, sftpWrapper: SFTPWrapper): ChannelFlow {
    const sftp = sftpWrapper as unknown as SftpInternals & Record<string, unknown>;
    const proto = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
    const shaped =
      typeof sftp.push === 'function' &&
      Array.isArray(sftp._buffer) &&
      typeof sftp.incoming?.window === 'number' &&
      typeof sftp.outgoing?.id === 'number' &&
      REPLIES.every((m) => typeof sftp[m] === 'function') &&
      typeof proto?.channelData === 'function' &&
      typeof proto.channelWindowAdjust === 'function';
    if (!shaped) return { run: (fn) => fn(), add: (n) => this.add(n), remove: (n) => this.remove(n) };

    this.watchSentBytes(proto);
    const ch: Channel = { sftp, push: sftp.push.bind(sftp), queued: 0, deferred: [], stash: [], stashBytes: 0, inReply: false };
    this.channels.set(sftp.outgoing.id, ch);

    // Every answer: whatever ssh2 could not send for want of window is what it keeps (the last entry of its queue).
    for (const m of REPLIES) {
      const original = (sftp[m] as (...args: unknown[]) => unknown).bind(sftp);
      sftp[m] = (...args: unknown[]) => {
        const before = sftp._buffer.length;
        ch.inReply = true;
        try {
          return original(...args);
        } finally {
          ch.inReply = false;
          const q = sftp._buffer;
          if (q.length > before) {
            const n = q[q.length - 1]!.length;
            ch.queued += n;
            this.queued += n;
            this.check();
          }
        }
      };
    }

    // Incoming channel data: parsed at once, or kept whole while over budget (returning false tells ssh2 to grant no more window).
    sftp.push = (data: Buffer | null) => {
      if (data === null && sftp.incoming.state === 'closed') {
        // The channel is gone (closed, or the connection died): nothing held will ever be answered. ssh2 must see
        // the end now, or it never says 'close' and the session's open files stay open.
        ch.deferred = [];
        ch.stash = [];
        ch.stashBytes = 0;
        return ch.push(null);
      }
      if (this.held || ch.stash.length > 0) {
        ch.stash.push(data);
        ch.stashBytes += data?.length ?? 0;
        if (ch.stashBytes > CHANNEL_WINDOW + WINDOW_SLACK) this.onViolation('the client sent far more than its SSH window allows');
        return false;
      }
      const r = ch.push(data);
      return this.held ? false : r;
    };

    sftpWrapper.once('close', () => {
      // A client may give a new channel the same number once this one is closed.
      if (this.channels.get(sftp.outgoing.id) === ch) this.channels.delete(sftp.outgoing.id);
      this.queued -= ch.queued;
      ch.queued = 0;
      ch.deferred = [];
      ch.stash = [];
      this.check();
    });

    return {
      run: (fn) => {
        if (this.held || ch.deferred.length > 0) ch.deferred.push(fn);
        else fn();
      },
      add: (n) => this.add(n),
      remove: (n) => this.remove(n),
    };
  }

  private add(n: number) {
    this.busy += n;
    this.check();
  }

  private remove(n: number) {
    this.busy -= n;
    this.check();
  }

  /** Answers leaving ssh2's queue (the client opened its window) are counted off as they go to the socket. */
  private watchSentBytes(proto: ProtocolInternals) {
    if (this.proto) return;
    this.proto = proto;
    const original = proto.channelData.bind(proto);
    proto.channelData = (chan, data) => {
      original(chan, data);
      const ch = this.channels.get(chan);
      if (!ch || ch.inReply || ch.queued === 0) return;
      const n = Math.min(ch.queued, typeof data === 'string' ? Buffer.byteLength(data) : data.length);
      ch.queued -= n;
      this.queued -= n;
      this.check();
    };
  }

  private check() {
    if (this.closed) return;
    const unsent = this.socket.writableLength;
    const drainsAlone = this.busy + unsent;
    if (!this.socketPaused && drainsAlone > this.highWater) {
      this.socketPaused = true;
      this.socket.pause();
    } else if (this.socketPaused && drainsAlone < this.lowWater) {
      this.socketPaused = false;
      this.socket.resume();
    }
    const total = drainsAlone + this.queued;
    if (!this.ownHeld && total > this.highWater) this.ownHeld = true;
    else if (this.ownHeld && total < this.lowWater) this.ownHeld = false;
    this.pool?.report(this, total);
    this.settle();
  }

  /** Starts or ends a hold after a change here or in the pool. */
  settle(): void {
    const held = this.held;
    if (held === this.wasHeld) return;
    this.wasHeld = held;
    if (held) {
      // Every way out has its event; this is only a safety net should one be missed.
      this.watchdog ??= setInterval(() => this.check(), 1000).unref();
    } else {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
      this.scheduleRelease();
    }
  }

  /** Goes on with held requests, then held data, in order; outside ssh2's own call stack. */
  private scheduleRelease() {
    if (this.releasing) return;
    this.releasing = true;
    setImmediate(() => {
      this.releasing = false;
      for (const ch of this.channels.values()) {
        while (!this.held && ch.deferred.length > 0) ch.deferred.shift()!();
        while (!this.held && ch.stash.length > 0) {
          const data = ch.stash.shift()!;
          ch.stashBytes -= data?.length ?? 0;
          try {
            ch.push(data);
          } catch (err) {
            // ssh2 throws on a malformed packet when nothing listens for its error; here nobody above us would catch it.
            this.onViolation(`malformed SFTP data: ${String(err)}`);
            return;
          }
        }
        if (!this.held && ch.stash.length === 0) this.grantWindow(ch);
      }
    });
  }

  /** What ssh2 does after a channel's data is consumed, which it skipped while we held the channel. */
  private grantWindow(ch: Channel) {
    const s = ch.sftp;
    if (s.outgoing.state !== 'open' || s.incoming.window > WINDOW_THRESHOLD) return;
    const amount = CHANNEL_WINDOW - s.incoming.window;
    s.incoming.window += amount;
    s._waitChanDrain = false;
    this.proto!.channelWindowAdjust(s.outgoing.id, amount);
  }
}

/**
 * The budget all logged-in connections of one district share, on top of
 * each connection's own. Connections report their totals; past `highWater`
 * together, every member is held until the sum is back under a quarter.
 */
export class FlowPool {
  held = false;
  private total = 0;
  private readonly members = new Map<ConnectionFlow, number>();
  private readonly lowWater: number;

  constructor(private readonly highWater: number) {
    this.lowWater = Math.floor(highWater / 4);
  }

  get size(): number {
    return this.members.size;
  }

  report(flow: ConnectionFlow, total: number): void {
    this.total += total - (this.members.get(flow) ?? 0);
    this.members.set(flow, total);
    this.update();
  }

  leave(flow: ConnectionFlow): void {
    this.total -= this.members.get(flow) ?? 0;
    this.members.delete(flow);
    this.update();
  }

  private update() {
    if (!this.held && this.total > this.highWater) {
      this.held = true;
      for (const m of this.members.keys()) m.settle();
    } else if (this.held && this.total < this.lowWater) {
      this.held = false;
      for (const m of this.members.keys()) m.settle();
    }
  }
}
