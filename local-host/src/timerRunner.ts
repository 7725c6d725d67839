/**
 * Runs a timer-triggered function on its six-field NCRONTAB schedule (UTC unless WEBSITE_TIME_ZONE), one run at a
 * time like the host's singleton lock, and passes the Timer object the real host passes.
 */
import { Cron } from 'croner';

import type { RegisteredFunction } from './functionsCore';
import { type HostLog, type InvocationOutcome, invokeFunction } from './invoke';

export interface TimerRunner {
  name: string;
  schedule: string;
  nextRun(): Date | null;
  runNow(): Promise<InvocationOutcome>;
  /** No more runs; resolves when the one running, if any, has ended. */
  stop(): Promise<void>;
}

export function startTimer(
  fn: RegisteredFunction,
  schedule: string,
  timezone: string | undefined,
  log: HostLog,
): TimerRunner {
  let last: Date | null = null;
  let running: Promise<InvocationOutcome> | undefined;

  async function run(isPastDue: boolean): Promise<InvocationOutcome> {
    // The real host never overlaps runs of one timer: a tick during a run waits for it.
    while (running) await running;
    const now = new Date();
    const timer = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: (last ?? now).toISOString(),
        Next: job.nextRun(now)?.toISOString(),
        LastUpdated: now.toISOString(),
      },
      IsPastDue: isPastDue,
    };
    running = invokeFunction(fn, { json: JSON.stringify(timer) }, {}, log);
    try {
      return await running;
    } finally {
      running = undefined;
      last = now;
    }
  }

  const job = new Cron(schedule, { mode: '6-part', timezone: timezone ?? 'UTC', protect: true }, () => {
    void run(false);
  });
  return {
    name: fn.metadata.name,
    schedule,
    nextRun: () => job.nextRun(),
    runNow: () => run(false),
    stop: async () => {
      job.stop();
      while (running) await running;
    },
  };
}
