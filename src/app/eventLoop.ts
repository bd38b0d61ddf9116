import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

/** How late the event loop ran timers lately: the delay every SFTP reply and page shared. */
export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface EventLoopWatch {
  read(): EventLoopDelay;
  /** Forgets what was sampled so far: the server's start-up is not a delay any client met. */
  reset(): void;
  stop(): void;
}

/**
 * Samples the event loop's delay (perf_hooks) in windows of a minute: a
 * reading covers the window so far and the one before (the higher of their
 * p99s and maxima), so a reading right after a burst of work still sees it,
 * and an old spike ages out.
 */
export function watchEventLoop(windowMs = 60_000): EventLoopWatch {
  let current: ELDHistogram = monitorEventLoopDelay({ resolution: 10 });
  let previous: ELDHistogram | undefined;
  current.enable();
  const rotate = setInterval(() => {
    previous?.disable();
    previous = current;
    current = monitorEventLoopDelay({ resolution: 10 });
    current.enable();
  }, windowMs);
  rotate.unref();
  const ms = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e5) / 10 : 0);
  const sampled = (h: ELDHistogram | undefined): h is ELDHistogram => h !== undefined && h.count > 0;
  return {
    read() {
      const windows = [previous, current].filter(sampled);
      if (windows.length === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
      return {
        p50Ms: ms((windows.at(-1) as ELDHistogram).percentile(50)),
        p99Ms: ms(Math.max(...windows.map((h) => h.percentile(99)))),
        maxMs: ms(Math.max(...windows.map((h) => h.max))),
      };
    },
    reset() {
      previous?.disable();
      previous = undefined;
      current.reset();
    },
    stop() {
      clearInterval(rotate);
      previous?.disable();
      current.disable();
    },
  };
}
