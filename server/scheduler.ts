import type { Logger } from 'pino';

export interface ScheduledJob {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

// In-process periodic jobs (reminders, expiry, repairs): each capability declares its own and
// server/main.ts lists every one it starts. Each job must be idempotent: with several app nodes
// every node runs it, and a restart may run it again.

export interface DeferredRepair {
  /** The job that runs the repair once it is due (it must be in main.ts's list). */
  job: ScheduledJob;
  /** Asks for a repair some time from now (a second call before it runs changes nothing). */
  schedule(): void;
}

/**
 * A repair that runs once, some time after a write failed half-way, so that records still in
 * flight are not mistaken for broken ones.
 */
export function deferredRepair(name: string, run: () => Promise<unknown>, delayMs = 25_000): DeferredRepair {
  let at = 0;
  return {
    job: {
      name,
      everyMs: 5_000,
      run: async () => {
        if (!at || Date.now() < at) return;
        at = 0;
        await run();
      },
    },
    schedule: () => {
      at ||= Date.now() + delayMs;
    },
  };
}

export function startSchedulers(logger: Logger, jobs: readonly ScheduledJob[]): () => Promise<void> {
  const timers = jobs.map((job) => {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await job.run();
      } catch (err) {
        logger.error({ err, job: job.name }, 'scheduled job failed');
      } finally {
        running = false;
      }
    };
    // First runs are spread over the first minute, so a (re)start does not begin with every job
    // at once competing with the first visitors.
    const first = setTimeout(tick, Math.min(job.everyMs, 5_000 + Math.random() * 55_000));
    const every = setInterval(tick, job.everyMs);
    return { first, every };
  });
  return async () =>
    timers.forEach((t) => {
      clearTimeout(t.first);
      clearInterval(t.every);
    });
}
