import type { Socket } from 'node:net';

export interface InFlightGauge {
  add(bytes: number): void;
  remove(bytes: number): void;
}

/**
 * ssh2 keeps parsing and emitting WRITE requests however many a client
 * pipelines, so the only brake is the socket: when too many bytes are waiting
 * on the disk, stop reading from the client until they drain. TCP then makes
 * the client wait, and memory stays bounded.
 */
export function socketGauge(socket: Socket, highWater = 16 * 1024 * 1024, lowWater = 4 * 1024 * 1024): InFlightGauge {
  let bytes = 0;
  let paused = false;
  return {
    add(n) {
      bytes += n;
      if (!paused && bytes > highWater) {
        paused = true;
        socket.pause();
      }
    },
    remove(n) {
      bytes -= n;
      if (paused && bytes < lowWater) {
        paused = false;
        socket.resume();
      }
    },
  };
}
