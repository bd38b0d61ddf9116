/**
 * Everything a bench started or wrote, undone in reverse order: on success, on
 * an exception, and on Ctrl-C or SIGTERM, so no sshd, server or 200 MB file
 * outlives the run.
 */
export class Cleanup {
  private readonly steps: Array<{ what: string; undo: () => Promise<unknown> | unknown }> = [];
  private running: Promise<void> | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    void this.run().finally(() => process.kill(process.pid, signal));
  };

  constructor() {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  add(what: string, undo: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, undo });
  }

  /** Runs every step once, even when some fail; reports failures without hiding the bench's own error. */
  run(): Promise<void> {
    this.running ??= (async () => {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
      for (const step of this.steps.reverse()) {
        try {
          await step.undo();
        } catch (err) {
          console.error(`cleanup: could not ${step.what}: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}
