/**
 * The MCP stdio transport, ours rather than the SDK's StdioClientTransport, because a server is a
 * tool process: it runs in its own process group (killed as a whole when the run ends), never
 * inherits the runner's descriptors, keeps only a tail of its stderr, and its messages are
 * bounded in size. Lines that are not JSON-RPC are counted (and, when they answer a request,
 * turned into an error answer at once) instead of being lost silently.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { inheritableDescriptors, isolatedStdio } from '../security/index.ts';
import type { CommandSpec } from '../sandbox/types.ts';

/** Largest message a server may send (a line of JSON); a longer one fails the calls waiting. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const STDERR_TAIL_CHARS = 2048;
const SNIPPET_CHARS = 200;

let inherited: number[] | undefined;
// Process groups of servers still running: killed if the runner exits without closing them.
const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone.
  }
}

export interface StdioTransportOptions {
  maxMessageBytes?: number;
  /** Between SIGTERM and SIGKILL to the group on close. */
  killGraceMs?: number;
  /** Told when a message could not be taken (too large): the calls waiting will get no answer. */
  onUnreadable?: (reason: string) => void;
}

/** A transport over a spawned server's stdin and stdout. */
export class StdioProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child?: ChildProcess;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  private stderrTail = '';
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private closed = false;
  private closing = false;
  private malformed = 0;
  private lastMalformed = '';
  private readonly maxBytes: number;

  constructor(
    private readonly spec: CommandSpec,
    private readonly opts: StdioTransportOptions = {},
  ) {
    this.maxBytes = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  }

  /** Spawns the server; rejects when it cannot be spawned (no such command, not executable). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(this.spec.argv[0], this.spec.argv.slice(1), {
          cwd: this.spec.cwd,
          env: this.spec.env,
          detached: true,
          stdio: isolatedStdio(['pipe', 'pipe', 'pipe'], (inherited ??= inheritableDescriptors())),
        });
      } catch (err) {
        return reject(err);
      }
      this.child = child;
      child.once('spawn', () => {
        if (child.pid !== undefined) {
          live.add(child.pid);
          installExitHook();
        }
        resolve();
      });
      child.once('error', (err) => {
        if (child.pid === undefined) reject(err);
        else this.onerror?.(err);
      });
      child.stdout!.on('data', (chunk: Buffer) => this.take(chunk));
      child.stderr!.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
      });
      for (const s of [child.stdin!, child.stdout!, child.stderr!]) s.on('error', () => undefined);
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // Whatever it left running in its group goes with it.
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        // A process that left the group may still hold stdout: stop waiting for it after a while.
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          this.finish();
        }, 2000).unref();
      });
      child.once('close', () => this.finish());
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed || stdin.destroyed) return Promise.reject(new Error('the server is not running'));
    return new Promise((resolve, reject) => {
      stdin.write(`${JSON.stringify(message)}\n`, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Ends the server: stdin closed, SIGTERM to its group, SIGKILL after the grace time. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.closed) return this.finish();
    this.closing = true;
    child.stdin?.end();
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    const pid = child.pid;
    if (pid !== undefined && killGroup(pid, 'SIGTERM')) {
      const grace = setTimeout(() => killGroup(pid, 'SIGKILL'), this.opts.killGraceMs ?? 2000);
      await Promise.race([closed, new Promise((r) => setTimeout(r, (this.opts.killGraceMs ?? 2000) + 1000).unref())]);
      clearTimeout(grace);
      killGroup(pid, 'SIGKILL');
    }
    // A process that left the group may still hold the pipes.
    child.stdout?.destroy();
    child.stderr?.destroy();
    this.finish();
  }

  /** How the server ended, its stderr tail and the lines it sent that were not JSON-RPC, for messages. */
  diagnosis(): string {
    const parts: string[] = [];
    if (this.exit && !this.closing) parts.push(this.exit.signal ? `it was killed by ${this.exit.signal}` : `it exited with code ${this.exit.code}`);
    if (this.malformed > 0) parts.push(`it wrote ${this.malformed} line(s) that are not JSON-RPC to stdout, the last: ${JSON.stringify(this.lastMalformed)}`);
    const err = this.stderrTail.trim();
    if (err) parts.push(`its stderr ends with: ${err.slice(-600)}`);
    return parts.join('; ');
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.exit !== undefined;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.child?.pid !== undefined) live.delete(this.child.pid);
    this.onclose?.();
  }

  private take(chunk: Buffer): void {
    let rest = chunk;
    for (let nl = rest.indexOf(0x0a); nl >= 0; nl = rest.indexOf(0x0a)) {
      const piece = rest.subarray(0, nl);
      rest = rest.subarray(nl + 1);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      this.line(line.toString('utf8'));
    }
    if (this.discarding || rest.length === 0) return;
    this.pending.push(rest);
    this.pendingBytes += rest.length;
    if (this.pendingBytes > this.maxBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      this.opts.onUnreadable?.(`the server sent a message larger than ${this.maxBytes} bytes, which was dropped`);
    }
  }

  private line(text: string): void {
    const line = text.replace(/\r$/, '');
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.notJsonRpc(line);
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (parsed.success) return this.onmessage?.(parsed.data as JSONRPCMessage);
    this.notJsonRpc(line);
    // An answer to one of our requests, but malformed: fail that request now rather than at its timeout.
    const v = value as { id?: unknown; method?: unknown } | null;
    if (v && typeof v === 'object' && v.method === undefined && (typeof v.id === 'number' || typeof v.id === 'string')) {
      this.onmessage?.({ jsonrpc: '2.0', id: v.id, error: { code: -32600, message: `the server's answer is not valid JSON-RPC: ${this.lastMalformed}` } });
    }
  }

  private notJsonRpc(line: string): void {
    this.malformed++;
    this.lastMalformed = line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
}
