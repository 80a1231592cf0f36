// Records what it received and answers a partial batch response, {"batchItemFailures":
// [{"itemIdentifier": …}]}, for a deterministic subset of the events:
// - events whose CloudEvents id is in PARTIAL_FAIL_IDS (comma-separated), or that carry the
//   extension attribute `partialfail` (aws:kafka: the ce_partialfail header);
// - only while the event's causeway attempt is at most PARTIAL_FAIL_ATTEMPTS (default: always).
// The identifier is the CloudEvents id, or with PARTIAL_ID_STYLE=kafka on an aws:kafka payload,
// Lambda's Kafka identifier {"partition": "<topic>-<partition>", "offset": <offset>}.
// PARTIAL_RESPONSE, when set, is returned verbatim (JSON) instead, to test malformed answers.
import { recordInvocation } from './recording.mjs';

const ids = new Set((process.env.PARTIAL_FAIL_IDS ?? '').split(',').filter((s) => s !== ''));
const maxAttempt = Number(process.env.PARTIAL_FAIL_ATTEMPTS ?? Infinity);

const fails = (id, marked, attempt) => (ids.has(id) || marked) && Number(attempt ?? 1) <= maxAttempt;
const text = (bytes) => Buffer.from(bytes).toString('utf8');

export async function handler(event, context) {
  recordInvocation(context);
  if (process.env.PARTIAL_RESPONSE !== undefined) return JSON.parse(process.env.PARTIAL_RESPONSE);
  const failures = [];
  if (Array.isArray(event)) {
    for (const ce of event) {
      if (fails(ce.id, ce.partialfail === true || ce.partialfail === 'true', ce.causewayattempt)) failures.push({ itemIdentifier: ce.id });
    }
  } else {
    for (const [key, records] of Object.entries(event.records ?? {})) {
      for (const r of records) {
        const h = Object.fromEntries(r.headers.map((one) => Object.entries(one)[0]).map(([k, v]) => [k, text(v)]));
        if (!fails(h.ce_id, h.ce_partialfail === 'true', h['causeway-attempt'])) continue;
        failures.push({ itemIdentifier: process.env.PARTIAL_ID_STYLE === 'kafka' ? { partition: key, offset: r.offset } : h.ce_id });
      }
    }
  }
  return { batchItemFailures: failures };
}
