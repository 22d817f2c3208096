// The event and result types live in src/task/events.ts (the store needs them too, and may not
// import the agent). This re-export is only for src/agent/diff/diff.ts, which another change
// rewrites; its import moves to src/task/events.ts when that change lands.
export type { DiffStats } from '../task/events.ts';
