import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveLinkInside } from '../security/index.ts';
import { SourceError } from './errors.ts';
import type { ExtractLimits, ExtractStats } from './extract.ts';

/**
 * Walks a materialised tree (one not produced by our own extraction, e.g. a git checkout) and
 * enforces what extraction enforces: limits, no device files or FIFOs, no symlink leaving the root.
 */
export async function auditTree(root: string, limits: ExtractLimits): Promise<ExtractStats> {
  const stats: ExtractStats = { files: 0, bytes: 0 };
  const links: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const abs = path.join(root, childRel);
      if (++stats.files > limits.maxFiles) {
        throw new SourceError('archive_too_large', `the source holds more than ${limits.maxFiles} entries`);
      }
      if (entry.isDirectory()) {
        await walk(childRel);
      } else if (entry.isFile()) {
        stats.bytes += (await fs.lstat(abs)).size;
        if (stats.bytes > limits.maxBytes) {
          throw new SourceError('archive_too_large', `the source holds more than ${limits.maxBytes} bytes`);
        }
      } else if (entry.isSymbolicLink()) {
        const target = await fs.readlink(abs);
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(childRel), target));
        if (path.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
          throw new SourceError('unsafe_archive', `symlink ${JSON.stringify(childRel)} points to ${JSON.stringify(target)}, outside the workspace`);
        }
        links.push(childRel);
      } else {
        throw new SourceError('unsafe_archive', `${JSON.stringify(childRel)} is a device file, FIFO or socket`);
      }
    }
  };
  await walk('');
  // Checked on the whole tree: a link may climb out through other links (`a -> sub/l/../..` with
  // `sub/l -> ..`), which the lexical check of each link's own text cannot see.
  for (const rel of links) {
    if (!resolveLinkInside(root, rel).inside) {
      throw new SourceError('unsafe_archive', `symlink ${JSON.stringify(rel)} leads outside the workspace through other links`);
    }
  }
  return stats;
}
