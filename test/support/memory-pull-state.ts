import { EMPTY_PULL_STATE, type PullRef, type PullState } from '../../src/github/pull-state.ts';
import type { PullStateChange, PullStateStore } from '../../src/github/pull-state-store.ts';

/** The pull requests' records in memory, keyed like the S3 store; `writes` counts the changes stored. */
export class MemoryPullStateStore implements PullStateStore {
  readonly states = new Map<string, PullState>();
  writes = 0;

  static key(pull: PullRef): string {
    return `${pull.owner}/${pull.repo}/${pull.number}`.toLowerCase();
  }

  get(pull: PullRef): PullState | undefined {
    return this.states.get(MemoryPullStateStore.key(pull));
  }

  async update<T>(pull: PullRef, change: PullStateChange<T>): Promise<T> {
    const key = MemoryPullStateStore.key(pull);
    const { next, result } = change(this.states.get(key) ?? EMPTY_PULL_STATE);
    if (next !== undefined) {
      this.states.set(key, structuredClone(next));
      this.writes++;
    }
    return result;
  }
}
