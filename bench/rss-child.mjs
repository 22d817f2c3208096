// Runs one SQS event through a worker bundle in a fresh process and prints the process's peak
// resident memory: what Lambda reports as "Max Memory Used" for that invocation. Plain
// JavaScript, so no TypeScript loader sits in the figure. argv: bundle path, event JSON.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { peakRssKb } from './peak-rss.mjs';

const [bundle, eventJson] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const deadline = Date.now() + 900_000;
const context = {
  functionName: 'Worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Worker',
  memoryLimitInMB: '2048',
  awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/Worker',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const started = performance.now();
const result = await handler(JSON.parse(eventJson), context);
const wallMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ maxRssKb: peakRssKb(), wallMs, result })}\n`);
