/**
 * Ends the processes tool commands leave behind, so that nothing a task started outlives it and
 * reaches the next task of the same worker (see processes.ts for what counts as a leftover).
 */
import { randomBytes } from 'node:crypto';
import { listProcesses, readProcess, selectLeftovers, selfInfo, TOOL_TAG_VARIABLE, type SweepScope } from './processes.ts';

export interface SweeperOptions {
  scope: SweepScope;
  /** Default: 128 random bits. */
  workerToken?: string;
  procRoot?: string;
  /** Sends a signal (default process.kill). */
  signal?: (pid: number, sig: NodeJS.Signals) => void;
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for killed processes to be gone (default 2 s). */
  settleMs?: number;
}

export interface SweepReport {
  /** pids of the leftovers stopped and killed. */
  killed: number[];
  /** Those still there (not zombies) after the wait: uninterruptible, or not ours to kill. */
  survivors: number[];
}

/** Rounds of freezing before the kill: each round catches what forked during the last one. */
const MAX_ROUNDS = 50;
const POLL_MS = 20;

/**
 * Tags tool processes per task and sweeps leftovers. `open()` gives a running task its token
 * and the environment entry that tags its tools; `close()` ends the sparing of that task's
 * processes; `sweep()` kills every leftover: first all are frozen (SIGSTOP, round after round
 * until no new one appears, so a fork bomb cannot outrun it), then killed (SIGKILL), each only if
 * its pid still names the same process (start time).
 */
export class ToolProcessSweeper {
  readonly scope: SweepScope;
  readonly workerToken: string;
  private readonly active = new Set<string>();
  private readonly procRoot: string;
  private readonly send: (pid: number, sig: NodeJS.Signals) => void;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly settleMs: number;

  constructor(opts: SweeperOptions) {
    this.scope = opts.scope;
    this.workerToken = opts.workerToken ?? randomBytes(16).toString('hex');
    this.procRoot = opts.procRoot ?? '/proc';
    this.send = opts.signal ?? ((pid, sig) => process.kill(pid, sig));
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.settleMs = opts.settleMs ?? 2000;
  }

  /** A new task: its token (spared until `close`) and the variable to put into its tools' environment. */
  open(): { token: string; env: Record<string, string> } {
    const token = randomBytes(16).toString('hex');
    this.active.add(token);
    return { token, env: { [TOOL_TAG_VARIABLE]: `${this.workerToken}.${token}` } };
  }

  /** The task is over: its processes are leftovers from now on. */
  close(token: string): void {
    this.active.delete(token);
  }

  /** Kills every leftover tool process (see the class comment); never throws. */
  async sweep(): Promise<SweepReport> {
    const self = selfInfo(this.procRoot);
    if (!self) return { killed: [], survivors: [] };
    const rule = { scope: this.scope, workerToken: this.workerToken, active: (t: string) => this.active.has(t) };
    const frozen = new Map<number, number>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const found = selectLeftovers(listProcesses(this.procRoot), self, rule).filter((p) => frozen.get(p.pid) !== p.start);
      if (found.length === 0) break;
      for (const p of found) {
        this.signal(p.pid, 'SIGSTOP');
        frozen.set(p.pid, p.start);
      }
    }
    const same = (pid: number, start: number) => {
      const now = readProcess(pid, this.procRoot);
      return now !== undefined && now.start === start && now.state !== 'Z';
    };
    for (const [pid, start] of frozen) if (same(pid, start)) this.signal(pid, 'SIGKILL');
    let left = [...frozen].filter(([pid, start]) => same(pid, start));
    for (let waited = 0; left.length > 0 && waited < this.settleMs; waited += POLL_MS) {
      await this.sleep(POLL_MS);
      left = left.filter(([pid, start]) => same(pid, start));
    }
    return { killed: [...frozen.keys()], survivors: left.map(([pid]) => pid) };
  }

  private signal(pid: number, sig: NodeJS.Signals): void {
    try {
      this.send(pid, sig);
    } catch {
      // Gone already (ESRCH), or not ours (EPERM): reported as a survivor if it stays.
    }
  }
}
