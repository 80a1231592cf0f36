/** The engine's unit tests run on MemoryLog: it must keep the EventLog contract like the real logs. */
import { MemoryLog } from '../../support/memory-log.js';
import { eventLogContract } from '../../contract/event-log.contract.js';

eventLogContract('memory (test fake)', { open: async () => new MemoryLog() }, { partitions: 3 });
