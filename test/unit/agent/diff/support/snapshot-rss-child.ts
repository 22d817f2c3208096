/**
 * Takes a snapshot of a workspace holding a sparse file of SIZE_MB (no disk used) and small files,
 * diffs it against an empty baseline and prints how much the process's resident memory grew
 * (peak, VmHWM), so the parent can hold it to the snapshot's stated bound. argv: folder, SIZE_MB.
 */
import fs from 'node:fs';
import path from 'node:path';
import { diffSnapshots, takeSnapshot } from '../../../../../src/agent/diff/index.ts';

const [dir, sizeMb] = process.argv.slice(2);
const vm = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(dir, `small-${i}.txt`), `line ${i}\n`.repeat(100));
fs.writeFileSync(path.join(dir, 'sparse.bin'), '');
fs.truncateSync(path.join(dir, 'sparse.bin'), Number(sizeMb) * 1024 * 1024);
const before = vm('VmRSS');
const snapshot = await takeSnapshot(dir);
const { patch, stats } = diffSnapshots(new Map(), snapshot);
const peak = vm('VmHWM');
process.stdout.write(`${JSON.stringify({ growth: peak - before, stats, sparse: patch.slice(patch.indexOf('diff --git a/sparse.bin'), patch.indexOf('diff --git a/sparse.bin') + 200) })}\n`);
