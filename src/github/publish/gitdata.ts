import { branchPath, gh, type GitHubClient, type RepoRef } from '../client.ts';
import { GitHubApiError } from '../errors.ts';

export interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

/** A file to write into a new tree, or a path to remove from it. */
export type TreeChange = { path: string; mode: string; sha: string } | { path: string; deleted: true };

/**
 * Git objects of one repository through GitHub's Git Data API: reading the base files and writing
 * blobs, a tree, a commit and a branch, with no git binary.
 */
export class GitData {
  private readonly trees = new Map<string, Promise<TreeEntry[]>>();
  private readonly root: string;

  constructor(
    private readonly client: GitHubClient,
    private readonly repo: RepoRef,
  ) {
    this.root = gh`/repos/${repo.owner}/${repo.repo}`;
  }

  /** The commit a branch points at, or undefined when there is no such branch. */
  async branchHead(branch: string): Promise<string | undefined> {
    const res = await this.client.get<{ object?: { sha?: string } } | unknown[]>(`${this.root}/git/ref/heads/${branchPath(branch)}`, { allow: [404] });
    // A missing ref may answer a list of refs that merely start with the name.
    if (res.status === 404 || Array.isArray(res.data)) return undefined;
    return res.data.object?.sha;
  }

  async commit(sha: string): Promise<CommitInfo> {
    const { data } = await this.client.get<{ sha: string; tree: { sha: string }; parents: { sha: string }[]; message: string }>(`${this.root}/git/commits/${encodeURIComponent(sha)}`);
    return { sha: data.sha, tree: data.tree.sha, parents: data.parents.map((p) => p.sha), message: data.message };
  }

  /** The entry at `path` in the tree `treeSha`, walking one directory level at a time (cached). */
  async entry(treeSha: string, path: string): Promise<TreeEntry | undefined> {
    const parts = path.split('/');
    let tree = treeSha;
    for (let i = 0; i < parts.length; i++) {
      const found = (await this.listTree(tree)).find((e) => e.path === parts[i]);
      if (!found) return undefined;
      if (i === parts.length - 1) return { ...found, path };
      if (found.type !== 'tree') return undefined;
      tree = found.sha;
    }
    return undefined;
  }

  async blob(sha: string): Promise<Buffer> {
    const { data } = await this.client.get<{ content: string; encoding: string }>(`${this.root}/git/blobs/${encodeURIComponent(sha)}`);
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8');
  }

  async createBlob(content: Buffer): Promise<string> {
    const { data } = await this.client.post<{ sha: string }>(`${this.root}/git/blobs`, { content: content.toString('base64'), encoding: 'base64' });
    return data.sha;
  }

  /** A new tree: `base` with the changes applied (a removal is an entry with `sha: null`). */
  async createTree(base: string, changes: TreeChange[]): Promise<string> {
    const tree = changes.map((c) => ('deleted' in c ? { path: c.path, mode: '100644', type: 'blob', sha: null } : { path: c.path, mode: c.mode, type: 'blob', sha: c.sha }));
    const { data } = await this.client.post<{ sha: string }>(`${this.root}/git/trees`, { base_tree: base, tree });
    return data.sha;
  }

  async createCommit(message: string, tree: string, parents: string[]): Promise<string> {
    const { data } = await this.client.post<{ sha: string }>(`${this.root}/git/commits`, { message, tree, parents });
    return data.sha;
  }

  /** Creates `refs/heads/<branch>` at `sha`; false when the branch exists already. */
  async createBranch(branch: string, sha: string): Promise<boolean> {
    const res = await this.client.post(`${this.root}/git/refs`, { ref: `refs/heads/${branch}`, sha }, { allow: [422] });
    if (res.status !== 422) return true;
    if ((await this.branchHead(branch)) !== undefined) return false;
    throw new GitHubApiError('POST', `${this.root}/git/refs`, 422, 'the branch could not be created');
  }

  /** Moves a branch forward to `sha` (never forced: fails with 422 when someone pushed meanwhile). */
  async updateBranch(branch: string, sha: string): Promise<void> {
    await this.client.patch(`${this.root}/git/refs/heads/${branchPath(branch)}`, { sha, force: false });
  }

  private listTree(sha: string): Promise<TreeEntry[]> {
    let hit = this.trees.get(sha);
    if (!hit) {
      hit = this.client.get<{ tree: TreeEntry[] }>(`${this.root}/git/trees/${encodeURIComponent(sha)}`).then((r) => r.data.tree);
      this.trees.set(sha, hit);
      hit.catch(() => this.trees.delete(sha));
    }
    return hit;
  }
}
