/**
 * The embedded log's writer thread. better-sqlite3 is synchronous and every commit fsyncs
 * (synchronous=FULL), so writes live here and never stall the HTTP event loop (DESIGN §3).
 * Requests that arrive while a transaction is in flight queue up and are committed together.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { GroupWriter } from './group-writer.js';
import type { FromWorker, ToWorker, WorkerInit, WriteRequest } from './protocol.js';
import { prepareWriter } from './schema.js';

const port = parentPort;
if (port === null) throw new Error('writer-worker must run in a worker thread');
const send = (m: FromWorker): void => port.postMessage(m);
const init = workerData as WorkerInit;

let db: Database.Database;
let writer: GroupWriter;
try {
  db = new Database(init.file);
  prepareWriter(db, init.recallWindowMs, init.maxBytes);
  writer = new GroupWriter(db, init.defaultPartitions);
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'failed', error: { code: 'CW_EVENTLOG_UNAVAILABLE', message: e instanceof Error ? e.message : String(e) } });
  process.exit(1);
}

let queue: WriteRequest[] = [];
let scheduled = false;
let closing = false;

// setImmediate runs after the port has delivered every message that queued up during the last
// (synchronous) transaction, so they all land in the next group.
function flush(): void {
  scheduled = false;
  const group = queue;
  queue = [];
  if (group.length > 0) send({ type: 'results', results: writer.apply(group), transactions: writer.transactions });
  if (closing) {
    db.close();
    send({ type: 'closed' });
    port!.close();
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'write') queue.push(...m.requests);
  else closing = true;
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
