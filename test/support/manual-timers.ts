import type { Timers } from '../../src/time/index.ts';

/** Timers that run when the test says time has passed: `advance(ms)` fires, in order, those due by then. */
export function manualTimers(): Timers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let nextId = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      const id = nextId++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) break;
        due.delete(id);
        t.fn();
      }
    },
    pending: () => due.size,
  };
}
