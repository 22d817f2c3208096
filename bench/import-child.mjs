// Imports one function bundle in a fresh process, as the Lambda runtime does at a cold start, and
// prints how long that took: `sinceStart` from the process's time origin (Node's own start-up
// included), `importMs` for the import alone, and the peak RSS so far (the memory floor). Plain JavaScript, so no loader adds to the time.
import { pathToFileURL } from 'node:url';
import { peakRssKb } from './peak-rss.mjs';

// The runtime's global, for bundles that wrap their handler at import (the progress function).
globalThis.awslambda ??= { streamifyResponse: (h) => h, HttpResponseStream: { from: (s) => s } };
const before = performance.now();
const mod = await import(pathToFileURL(process.argv[2]).href);
const after = performance.now();
if (typeof mod.handler !== 'function') throw new Error(`${process.argv[2]} exports no handler`);
process.stdout.write(`${JSON.stringify({ sinceStart: after, importMs: after - before, maxRssKb: peakRssKb() })}\n`);
