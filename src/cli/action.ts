/**
 * The command line of the GitHub Action (action.yml): `enqueue` and nothing else, so that its
 * one-file bundle, action/agent-runner.mjs (committed with the action, which therefore installs
 * nothing), holds only what enqueue uses and changes only with it. Runs when loaded.
 */
import { enqueueCommand } from './enqueue.ts';
import { runProgram } from './program.ts';

process.exitCode = await runProgram(process.argv.slice(2), [
  { name: 'enqueue', summary: "send a task to a deployed stack's queue; --wait follows it", load: async () => enqueueCommand },
]);
