import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExclusive, withFileLock } from '../../../src/store/fs-cas.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-cas-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('createExclusive', () => {
  it('lets exactly one of many concurrent creators make the file, whole', async () => {
    const file = path.join(dir, 'x.json');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createExclusive(file, `creator ${i}`)));
    const winner = results.indexOf(true);
    expect([results.filter(Boolean).length, fs.readFileSync(file, 'utf8')]).toEqual([1, `creator ${winner}`]);
    expect(fs.readdirSync(dir)).toEqual(['x.json']);
  });
});

describe('withFileLock', () => {
  it('runs read-modify-write sequences one at a time', async () => {
    const file = path.join(dir, 'count');
    fs.writeFileSync(file, '0');
    const bump = async (): Promise<void> => {
      const n = Number(await fs.promises.readFile(file, 'utf8'));
      await new Promise((r) => setTimeout(r, 1));
      await fs.promises.writeFile(file, String(n + 1));
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => withFileLock(file, bump, { attempts: 2000, waitMs: 1 })));
    expect([results.every((r) => r.held), fs.readFileSync(file, 'utf8'), fs.readdirSync(dir)]).toEqual([true, '10', ['count']]);
  });

  it('gives up, without running, while a live process holds the lock', async () => {
    const file = path.join(dir, 'x');
    fs.writeFileSync(`${file}.lock`, `${process.pid}:other`);
    let ran = false;
    const result = await withFileLock(file, async () => (ran = true), { attempts: 3 });
    expect([result, ran, fs.readFileSync(`${file}.lock`, 'utf8')]).toEqual([{ held: false }, false, `${process.pid}:other`]);
  });

  it('takes over a lock whose process has died', async () => {
    const file = path.join(dir, 'x');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(`${file}.lock`, `${dead}:crashed`);
    const result = await withFileLock(file, async () => 'ran', { attempts: 3 });
    expect([result, fs.readdirSync(dir)]).toEqual([{ held: true, value: 'ran' }, []]);
  });
});
