/**
 * Connections that have not logged in yet, per source address and in all.
 * Each costs a key exchange and memory while a stranger holds it open for
 * the login grace time, so a stranger could otherwise fill the server and
 * keep every district out.
 *
 * Past the per-address limit a new connection is closed at once. Past the
 * total, a newcomer is let in only if some address holds more waiting
 * connections than the newcomer's would after it: that address's oldest is
 * closed instead. So a flood from a few addresses, however wide, never keeps
 * out a client from an address that is not flooding; a newcomer from one of
 * the flooding addresses is simply closed.
 */
export class Admission {
  private readonly waiting = new Map<string, Set<() => void>>();
  private total = 0;

  constructor(
    private readonly perAddress: number,
    private readonly limit: number,
  ) {}

  /**
   * Admits a connection from `address` (as `addressKey` gives it), or says
   * no. `close` ends it should room be needed for someone else. The returned
   * function lets it go (logged in, or gone); calling it twice is harmless.
   */
  admit(address: string, close: () => void): (() => void) | undefined {
    const mine = this.waiting.get(address)?.size ?? 0;
    if (mine >= this.perAddress) return undefined;
    if (this.total >= this.limit && !this.makeRoom(mine + 1)) return undefined;
    let set = this.waiting.get(address);
    if (!set) this.waiting.set(address, (set = new Set()));
    const entry = () => close();
    set.add(entry);
    this.total++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.forget(address, entry);
    };
  }

  get waitingCount(): number {
    return this.total;
  }

  private forget(address: string, entry: () => void) {
    const set = this.waiting.get(address);
    if (!set?.delete(entry)) return;
    this.total--;
    if (set.size === 0) this.waiting.delete(address);
  }

  /** Closes the oldest waiting connection of the busiest address, if it holds more than `newcomerWouldHold`. */
  private makeRoom(newcomerWouldHold: number): boolean {
    let busiest: [string, Set<() => void>] | undefined;
    for (const e of this.waiting) if (!busiest || e[1].size > busiest[1].size) busiest = e;
    if (!busiest || busiest[1].size <= newcomerWouldHold) return false;
    const [address, set] = busiest;
    const oldest = set.values().next().value!;
    this.forget(address, oldest);
    oldest();
    return true;
  }
}
