#!/usr/bin/env node
// `npm run bench`: loads the TypeScript benchmarks (bench/main.ts) through tsx (a dev
// dependency), so no build step is needed first; the CLI it measures runs built, as users run it.
import { register } from 'tsx/esm/api';

// fauxqs uses node:sqlite, whose "experimental" warning would be noise between the progress lines.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});
register();
const { main } = await import('../bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
