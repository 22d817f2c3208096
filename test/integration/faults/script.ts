/**
 * The fake model's side of the fault-injection suite: per-case scripts keyed by the task's prompt
 * (`[case:<id>] ...`), answering by the turn the request is for (the assistant messages it already
 * holds, plus one) and the how-manieth request for that turn it is, so a turn redone after a
 * crash or a retry gets a sensible answer again. Every request is logged, faults included.
 */
import { createHash } from 'node:crypto';
import { httpError, metadata, text, toolUse, type Json, type Turn, type TurnFn } from '../../support/fake-bedrock.ts';

/** One model request as the script saw it. */
export interface ServedTurn {
  caseId: string;
  turn: number;
  /** 0 for the first request for this turn of this case, 1 for the next (a retry or a redo), ... */
  attempt: number;
  /** `answer` when the script gave a whole answer, `fault` when it injected one. */
  kind: 'answer' | 'fault';
}

export interface TurnRequest {
  caseId: string;
  turn: number;
  attempt: number;
  body: Json;
}

/** A case's script: the answer (or fault) for a request; mark faults with `fault()`. */
export type CaseScript = (req: TurnRequest) => Turn | Promise<Turn>;

const FAULT = Symbol('fault');

/** Marks a turn as an injected fault (logged as such). */
export function fault(turn: Turn): Turn {
  return Object.assign(turn, { [FAULT]: true });
}

/** The prompt of a task run by case `caseId`'s script. */
export function casePrompt(caseId: string, what: string): string {
  return `[case:${caseId}] ${what}`;
}

export class FaultScripts {
  readonly served: ServedTurn[] = [];
  private readonly cases = new Map<string, CaseScript>();

  /** Registers the script of a case (replacing any under that id). */
  register(caseId: string, script: CaseScript): void {
    this.cases.set(caseId, script);
  }

  /** Requests served for a case, in order. */
  of(caseId: string): ServedTurn[] {
    return this.served.filter((s) => s.caseId === caseId);
  }

  /** How many whole answers the script gave for each turn of a case (index 0 = turn 1). */
  answersPerTurn(caseId: string): number[] {
    const out: number[] = [];
    for (const s of this.of(caseId)) if (s.kind === 'answer') out[s.turn - 1] = (out[s.turn - 1] ?? 0) + 1;
    return Array.from(out, (n) => n ?? 0);
  }

  /** The fake Bedrock's script function. */
  readonly handler: TurnFn = async (body) => {
    const messages = (body.messages ?? []) as { role: string; content: Json[] }[];
    const prompt = String(messages[0]?.content?.find((c) => typeof c.text === 'string')?.text ?? '');
    const caseId = /^\[case:([^\]]+)\]/.exec(prompt)?.[1];
    const script = caseId === undefined ? undefined : this.cases.get(caseId);
    if (caseId === undefined || !script) throw new Error(`no fault script for prompt ${JSON.stringify(prompt.slice(0, 60))}`);
    const turn = messages.filter((m) => m.role === 'assistant').length + 1;
    const attempt = this.served.filter((s) => s.caseId === caseId && s.turn === turn).length;
    const answer = await script({ caseId, turn, attempt, body });
    this.served.push({ caseId, turn, attempt, kind: (answer as { [FAULT]?: boolean })[FAULT] ? 'fault' : 'answer' });
    return answer;
  };
}

/** Usage every scripted answer reports, so totals can be checked against turns. */
export const TURN_USAGE = { inputTokens: 100, outputTokens: 10 };

/** Step `k` of a standard task: one line appended to log.txt by the shell. */
export function appendStep(k: number): Turn {
  return [text(`Step ${k}: appending ${k}.`), toolUse(`t${k}`, 'shell', { command: `echo ${k} >> log.txt` }), metadata(TURN_USAGE)];
}

/** The final answer of a standard task. */
export function finalAnswer(): Turn {
  return [text('All steps done.'), metadata(TURN_USAGE)];
}

export interface StepsOptions {
  /** Tool turns before the final answer. */
  steps: number;
  /** The answer for a tool turn (default appendStep). */
  step?: (k: number, req: TurnRequest) => Turn;
  /** Faults by turn: the i-th request for that turn gets `faults[turn][i]` while there is one. */
  faults?: Record<number, Turn[]>;
  /** Called on every request before it is answered (e.g. to arm an S3 fault). */
  onRequest?: (req: TurnRequest) => void;
}

/**
 * A task of `steps` tool turns then a final answer, with faults served first where given. Turn k
 * of the standard steps appends `k` to log.txt, so the final diff shows every turn exactly once.
 */
export function stepsScript(opts: StepsOptions): CaseScript {
  return (req) => {
    opts.onRequest?.(req);
    const injected = opts.faults?.[req.turn]?.[req.attempt];
    if (injected) return fault(injected);
    if (req.turn > opts.steps) return finalAnswer();
    return (opts.step ?? appendStep)(req.turn, req);
  };
}

/** The diff.patch of a standard task that appended 1..n to a new log.txt (git's form, blob ids included). */
export function appendedDiff(n: number): string {
  const content = Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');
  const blob = createHash('sha1').update(`blob ${content.length}\0${content}`).digest('hex');
  const lines = content.replace(/^/gm, '+').slice(0, -1);
  return `diff --git a/log.txt b/log.txt\nnew file mode 100644\nindex ${'0'.repeat(40)}..${blob}\n--- /dev/null\n+++ b/log.txt\n@@ -0,0 +1${n === 1 ? '' : `,${n}`} @@\n${lines}`;
}

export { httpError };
