/**
 * Run as a "worker" alone in a PID namespace (see processes.test.ts): a process started before it
 * (an "extension") must survive; leftovers started after it must not, however they hid (a new
 * session, a double fork, a cleared environment, a forged tag). Prints the outcome as JSON.
 * argv: the file holding the extension's pid.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { readProcess, ToolProcessSweeper } from '../../../../src/security/index.ts';

const alive = (pid: number) => {
  const p = readProcess(pid);
  return p !== undefined && p.state !== 'Z';
};
const extension = Number(fs.readFileSync(process.argv[2], 'utf8'));
// Each prints the pid of what it leaves behind, then exits: the leftovers' parent is gone.
const leave = (cmd: string): number => Number(spawnSync('sh', ['-c', cmd], { encoding: 'utf8', env: { PATH: process.env.PATH } }).stdout.trim());
const leftovers = [
  leave('setsid sh -c "sleep 300" >/dev/null 2>&1 & echo $!'),
  leave('env -i /bin/sh -c "sleep 300 >/dev/null 2>&1 & echo \\$!"'),
  leave('AGENT_RUNNER_TOOL_TAG=someone-else.x sleep 300 >/dev/null 2>&1 & echo $!'),
];
const sweeper = new ToolProcessSweeper({ scope: 'uid' });
const report = await sweeper.sweep();
process.stdout.write(`${JSON.stringify({ extension: alive(extension), leftovers: leftovers.map(alive), killed: leftovers.every((p) => report.killed.includes(p)), survivors: report.survivors, self: alive(process.pid) })}\n`);
