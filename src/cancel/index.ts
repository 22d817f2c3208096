export { requestCancel, cancelMessage } from './request.ts';
export type { CancelRequest, CancelOutcome } from './request.ts';
export { CancelWatch, CANCEL_POLL_MS } from './watch.ts';
export type { CancelWatchOptions } from './watch.ts';
