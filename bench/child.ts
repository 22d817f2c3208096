/** Runs a benchmark child process and reads the JSON line it prints last. */
import { spawn } from 'node:child_process';

/**
 * Runs `node <args>` (this process's Node binary) with exactly `env`, and resolves with the
 * parsed last line of its stdout; rejects with its stderr when it exits non-zero.
 */
export function runNodeChild<T>(args: string[], env: Record<string, string | undefined>, cwd: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`node ${args.join(' ')} printed no JSON result: ${last.slice(0, 200)}`));
      }
    });
  });
}
