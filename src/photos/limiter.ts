/**
 * At most `n` tasks at once, the rest queued in order. Decoding is CPU work
 * on libuv's small thread pool, which file reads and writes also need: a few
 * photos at a time keep the pool free for I/O and let the oldest upload finish
 * first instead of every photo in the backlog crawling along together.
 */
export function createLimiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (running >= n) return;
    const start = queue.shift();
    if (start) {
      running++;
      start();
    }
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
}
