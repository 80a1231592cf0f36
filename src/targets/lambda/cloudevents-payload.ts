/**
 * The `cloudevents` payload: a JSON array of structured CloudEvents, i.e. the JSON batch format
 * (JSON-M9), one member per delivery. Data stays JSON when its content type is JSON, is a string
 * for UTF-8 text and `data_base64` otherwise (JSON-M5, via the codec). A Lambda invocation has no
 * per-event headers, so the hop's lineage and the idempotency key travel as extension attributes
 * of each event (../hop-attributes.ts).
 */
import { encodeStructuredEvent } from '../../codec/index.js';
import { withHopAttributes } from '../hop-attributes.js';
import type { EncodedItem, PayloadShape, PayloadSizer } from './payload-plan.js';

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

class ArraySizer implements PayloadSizer {
  size = 2; // []
  count = 0;
  sizeWith(item: EncodedItem): number {
    return this.size + item.json.length + (this.count > 0 ? 1 : 0);
  }
  add(item: EncodedItem): void {
    this.size = this.sizeWith(item);
    this.count += 1;
  }
}

export const cloudEventsShape: PayloadShape = {
  encode: (d) => ({ json: asBuffer(encodeStructuredEvent({ attributes: withHopAttributes(d), data: d.event.data })), group: '' }),
  sizer: () => new ArraySizer(),
  assemble(items) {
    const parts: Buffer[] = [Buffer.from('[')];
    items.forEach((item, i) => {
      if (i > 0) parts.push(Buffer.from(','));
      parts.push(item.json);
    });
    parts.push(Buffer.from(']'));
    return Buffer.concat(parts);
  },
};
