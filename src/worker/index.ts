export { processBatch } from './batch.ts';
export type { BatchReport, BatchTiming } from './batch.ts';
export { processRecord, WORK_DIR_NAME } from './record.ts';
export type { RecordOutcome, RecordRun, TaskSettings, WorkerDeps } from './record.ts';
export { terminalResult, writeTerminal } from './terminal.ts';
export { createTaskSettings } from './settings.ts';
export type { SettingsSource } from './settings.ts';
export { WorkerError, TaskSettingsError, HostFaultError } from './errors.ts';
