import type { EventLog, Fact } from '../core/index.js';
import { decodeKafka, encodeStructuredEvent } from '../codec/index.js';
import type { AdminFact, AdminService } from '../ingress/http/index.js';

const text = new TextDecoder();

/** A fact as people and tests read it: position, headers, and the event in structured JSON. */
export function renderFact(f: Fact): AdminFact {
  let event: unknown = null;
  try {
    const ce = decodeKafka(Object.entries(f.headers), f.value, f.key);
    event = JSON.parse(text.decode(encodeStructuredEvent(ce)));
  } catch {
    event = null; // not a CloudEvent (e.g. a raw dead letter): headers and position still tell the story
  }
  return {
    topic: f.topic,
    partition: f.partition,
    offset: f.offset,
    timestamp: new Date(f.timestamp).toISOString(),
    key: f.key === null ? null : text.decode(f.key),
    headers: f.headers,
    event,
  };
}

export function createAdminService(log: EventLog): AdminService {
  return {
    async topics() {
      const topics = await log.listTopics();
      const out = await Promise.all(topics.map(async (t) => ({ name: t.name, partitions: await log.offsets(t.name) })));
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },
    // One metadata request, not the offsets of every topic (which time out on a broker with ~1000 topics).
    async partitions(topic) {
      return (await log.listTopics()).find((t) => t.name === topic)?.partitions;
    },
    async events(topic, partition, from, limit) {
      return (await log.read(topic, partition, from, limit)).map(renderFact);
    },
  };
}
