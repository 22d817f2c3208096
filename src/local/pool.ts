import type { LocalFunction, LocalInvocation } from './local-function.ts';
import type { LocalResponseStream } from './response-stream.ts';

/**
 * A function that scales out as Lambda does: each invocation gets an idle execution environment,
 * or a new one when all are busy (the caller bounds concurrency, as the event-source mapping's
 * MaximumConcurrency or the function URL's clients do). Environments stay warm until stop().
 */
export function functionPool(create: () => LocalFunction): LocalFunction & { readonly environments: number } {
  const all: LocalFunction[] = [];
  const idle: LocalFunction[] = [];
  return {
    async invoke(event: unknown, opts?: { stream?: LocalResponseStream }): Promise<LocalInvocation> {
      let fn = idle.pop();
      if (!fn) {
        fn = create();
        all.push(fn);
      }
      try {
        return await fn.invoke(event, opts);
      } finally {
        idle.push(fn);
      }
    },
    async stop() {
      await Promise.all(all.map((f) => f.stop()));
    },
    get environments() {
      return all.length;
    },
  };
}
