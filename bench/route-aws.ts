/**
 * The AWS rows of `npm run bench:route` (issue #5): the delivery engine with the lambda target
 * against the Lambda emulator (test/support/lambda: one execution environment running a real Node
 * handler) and with the eventbridge target against moto (scripts/moto.sh). Both emulators are
 * local and single-threaded, so events/s measure the engine + target + emulator on this machine,
 * not AWS; API calls per 1,000 events is the figure that carries over to AWS (what it bills and
 * throttles by). Details of each row: bench/route-lambda.ts, bench/route-eventbridge.ts.
 */
import { eventbridgeRows } from './route-eventbridge.js';
import { lambdaRows } from './route-lambda.js';

/** One row of the AWS table (both row modules return these). */
export interface TargetRow {
  target: string;
  batch: number;
  events: number;
  eventsPerSec: number;
  p99Ms: number;
  apiCallsPer1000: number;
}

export async function printAwsRows(seconds: number): Promise<void> {
  const rows: TargetRow[] = [...(await lambdaRows({ seconds })), ...(await eventbridgeRows({ seconds }))];
  console.log(
    '\nroute → AWS targets on local emulators, 1 KiB facts (Lambda: emulator + Node handler, sync, cloudevents; EventBridge: moto, bus without rule)',
  );
  console.log('| target | batch | events | events/s | p99 ms (one send) | API calls / 1,000 events |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.target} | ${r.batch} | ${r.events} | ${r.eventsPerSec} | ${r.p99Ms.toFixed(1)} | ${r.apiCallsPer1000.toFixed(0)} |`);
}
