import http from 'node:http';

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not 200 (the run is invalid if any). */
  failures: number;
}

/**
 * A closed-loop HTTP load: `connections` keep-alive connections, each sending
 * the next request as soon as the last answer is read, for `seconds`. The same
 * client measures Lanyard and nginx, so its own cost weighs on both alike.
 */
export async function httpLoad(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const u = new URL(url);
  const latencies: number[] = [];
  let failures = 0;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, agent, headers: opts.headers }, (res) => {
        if (res.statusCode !== 200) failures++;
        res.on('data', () => undefined);
        res.on('end', () => {
          latencies.push(performance.now() - started);
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  // Warm up connections and caches before the clock starts.
  await Promise.all(Array.from({ length: opts.connections }, () => once()));
  latencies.length = 0;
  failures = 0;
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < until) await once();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { requests: sorted.length, perSecond: sorted.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), failures };
}
