/** The `eventbridge` (PutEvents) target plug-in. */
export { eventbridgeTarget, EventBridgeTarget } from './eventbridge-target.js';
export {
  EVENTBRIDGE_DEFAULTS,
  eventbridgeConfigSchema,
  type EventBridgeDetail,
  type EventBridgeTargetConfig,
} from './eventbridge-config.js';
export { chunkEntries } from './chunk-entries.js';
export { entryOutcome, requestFailure, type ResultEntry } from './eventbridge-errors.js';
export { entrySize, isArn, putEventsEntry, type PutEventsEntry } from './put-events-entry.js';
export { xrayTraceHeader } from './trace-header.js';
