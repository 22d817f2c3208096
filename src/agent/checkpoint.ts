import { createHash } from 'node:crypto';
import type { Message, Usage } from '../providers/types.ts';
import type { ArtifactName, ArtifactStore } from '../store/types.ts';
import { oidOf, type Snapshot } from './diff/index.ts';
import type { Redactor } from '../security/index.ts';
import { ResumeError } from './errors.ts';

/**
 * A task's progress as saved after every turn, so that another invocation can go on from there.
 *
 * Stored as parts whose size does not grow with the run: `checkpoint/<turn>.json` holds only the
 * messages that turn added (the model's answer and the tool results), `checkpoint/ws-<turn>.patch`
 * the workspace's change since the start, written only on turns that changed it, and
 * `checkpoint.json` (written last, so a torn save leaves the previous checkpoint whole) this head.
 */
export interface CheckpointHead {
  version: 1;
  /** Turns completed (and journalled) so far. */
  turn: number;
  usage: Usage;
  costUsd: number;
  /** Runner time used by all invocations so far; counts against the task's time limit. */
  elapsedMs: number;
  /** The seq the next event gets: events at or after it belong to a turn that was lost. */
  nextSeq: number;
  failovers: { from: string; to: string }[];
  /** The turn whose `ws-<turn>.patch` holds the workspace's change; 0 when unchanged. */
  workspaceTurn: number;
  /** Digest of the workspace as the source gave it, to notice a source that moved (a branch). */
  baselineDigest: string;
  /** Invocations that have worked on the task, this one included. */
  invocations: number;
  savedAt: string;
  /** Continuations queued so far (the hop count of the task's chain of invocations). */
  continuations?: number;
  /** Invocations in a row that ended (at the deadline) without completing a turn. */
  stalls?: number;
}

/** What the checkpointer itself keeps in the head across saves. */
type CarriedFields = 'version' | 'workspaceTurn' | 'continuations' | 'stalls';

/** What a resumed run starts from: the head and the transcript rebuilt from the journal. */
export interface ResumeState {
  head: CheckpointHead;
  /** The conversation after the task's prompt, in order (untrimmed). */
  messages: Message[];
  /** The workspace change to re-apply on a fresh copy of the source ('' when none). */
  workspacePatch: string;
}

const HEAD: ArtifactName = 'checkpoint.json';

/** `checkpoint/00000003.json`: the messages turn 3 added. */
export function journalName(turn: number): ArtifactName {
  return `checkpoint/${String(turn).padStart(8, '0')}.json`;
}

/** `checkpoint/ws-00000003.patch`: the workspace's change as of turn 3. */
export function workspacePatchName(turn: number): ArtifactName {
  return `checkpoint/ws-${String(turn).padStart(8, '0')}.patch`;
}

/**
 * A digest of a snapshot's paths, modes and contents (by git blob id, so files kept by id only
 * count the same), independent of the order they were read in.
 */
export function snapshotDigest(snapshot: Snapshot): string {
  const h = createHash('sha256');
  for (const p of [...snapshot.keys()].sort()) {
    const e = snapshot.get(p)!;
    h.update(`${p}\0${e.mode}\0${oidOf(e)}\0`);
  }
  return h.digest('hex');
}

/**
 * Saves and restores checkpoints of one task in its artifact store. `save` writes the turn's
 * journal part, the workspace patch when it changed since the last save, then the head.
 */
export class Checkpointer {
  private lastPatch: string | undefined;
  private workspaceTurn = 0;
  private continuations = 0;

  /** With a redactor, journal parts (tool outputs included) are stored redacted, like the transcript. */
  constructor(
    private readonly store: ArtifactStore,
    private readonly taskId: string,
    private readonly redactor?: Redactor,
  ) {}

  /** The saved checkpoint, or undefined when the task has none. Throws ResumeError when parts are missing or unreadable. */
  async load(): Promise<ResumeState | undefined> {
    const text = await this.store.get(this.taskId, HEAD);
    if (text === undefined) return undefined;
    let head: CheckpointHead;
    try {
      head = JSON.parse(text) as CheckpointHead;
    } catch (err) {
      throw new ResumeError(`checkpoint.json of task ${this.taskId} is not JSON`, { cause: err });
    }
    if (head.version !== 1 || !Number.isInteger(head.turn) || head.turn < 0) {
      throw new ResumeError(`checkpoint.json of task ${this.taskId} has an unknown shape`);
    }
    const parts = await Promise.all(Array.from({ length: head.turn }, (_, i) => this.store.get(this.taskId, journalName(i + 1))));
    const messages: Message[] = [];
    for (const [i, part] of parts.entries()) {
      if (part === undefined) throw new ResumeError(`checkpoint part for turn ${i + 1} of task ${this.taskId} is missing`);
      messages.push(...(JSON.parse(part) as Message[]));
    }
    let workspacePatch = '';
    if (head.workspaceTurn > 0) {
      const patch = await this.store.get(this.taskId, workspacePatchName(head.workspaceTurn));
      if (patch === undefined) throw new ResumeError(`workspace patch of turn ${head.workspaceTurn} of task ${this.taskId} is missing`);
      workspacePatch = patch;
    }
    this.lastPatch = workspacePatch;
    this.workspaceTurn = head.workspaceTurn;
    this.continuations = head.continuations ?? 0;
    return { head, messages, workspacePatch };
  }

  /**
   * Saves the state after `head.turn` (whose new messages are `added`): `workspacePatch` is the
   * whole change since the start, written only when it differs from the last one saved. The
   * continuation count goes on; a saved turn ends a run of stalled invocations.
   */
  async save(head: Omit<CheckpointHead, CarriedFields>, added: Message[], workspacePatch: string): Promise<CheckpointHead> {
    if (head.turn > 0) await this.store.put(this.taskId, journalName(head.turn), JSON.stringify(this.redactor ? this.redactor.json(added) : added));
    if (workspacePatch !== (this.lastPatch ?? '')) {
      if (workspacePatch === '') {
        this.workspaceTurn = 0;
      } else {
        await this.store.put(this.taskId, workspacePatchName(head.turn), workspacePatch);
        this.workspaceTurn = head.turn;
      }
      this.lastPatch = workspacePatch;
    }
    const full: CheckpointHead = { version: 1, ...head, workspaceTurn: this.workspaceTurn, continuations: this.continuations, stalls: 0 };
    await this.store.put(this.taskId, HEAD, JSON.stringify(full));
    return full;
  }

  /**
   * Records in the saved head that the task is continued for the `hop`-th time, and whether the
   * invocation that paused completed no turn (`stalled`: counted in a row, 0 after progress).
   * Undefined when the task has no head to record it in.
   */
  async markContinued(hop: number, stalled: boolean): Promise<CheckpointHead | undefined> {
    const text = await this.store.get(this.taskId, HEAD);
    if (text === undefined) return undefined;
    const head = JSON.parse(text) as CheckpointHead;
    const next: CheckpointHead = { ...head, continuations: hop, stalls: stalled ? (head.stalls ?? 0) + 1 : 0 };
    await this.store.put(this.taskId, HEAD, JSON.stringify(next));
    this.continuations = hop;
    return next;
  }
}
