export { systemTimers, timeoutSignal } from './timers.ts';
export type { TimeoutSignal, Timers } from './timers.ts';
