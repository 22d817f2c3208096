import type { AgentEvent } from '../../src/agent/events.ts';
import type { ArtifactName, ArtifactStore } from '../../src/store/types.ts';

/** An in-memory ArtifactStore that records every write (for loop tests). */
export class MemoryStore implements ArtifactStore {
  readonly artifacts = new Map<string, string>();
  readonly segments: { taskId: string; events: AgentEvent[] }[] = [];
  readonly writes: string[] = [];

  async put(taskId: string, name: ArtifactName, body: string): Promise<void> {
    this.writes.push(`${taskId}/${name}`);
    this.artifacts.set(`${taskId}/${name}`, body);
  }

  async get(taskId: string, name: ArtifactName): Promise<string | undefined> {
    return this.artifacts.get(`${taskId}/${name}`);
  }

  async appendEvents(taskId: string, events: AgentEvent[]): Promise<void> {
    this.writes.push(`${taskId}/events/${events[0]?.seq}`);
    this.segments.push({ taskId, events: [...events] });
  }

  async readEvents(taskId: string, afterSeq = 0): Promise<AgentEvent[]> {
    return this.segments.filter((s) => s.taskId === taskId).flatMap((s) => s.events).filter((e) => e.seq > afterSeq);
  }

  events(taskId: string): AgentEvent[] {
    return this.segments.filter((s) => s.taskId === taskId).flatMap((s) => s.events);
  }

  json(taskId: string, name: ArtifactName): any {
    const t = this.artifacts.get(`${taskId}/${name}`);
    return t === undefined ? undefined : JSON.parse(t);
  }
}
