/**
 * Splitting a batch into invocations that fit the Invoke payload limit, by the exact size of the
 * encoded payload (not the engine's estimate: base64 and byte arrays inflate the aws:kafka shape,
 * JSON quoting the cloudevents one). Pure; the shapes are in cloudevents-payload.ts and
 * kafka-payload.ts.
 */
import type { Delivery } from '../../core/index.js';

/** One delivery encoded for a payload: its JSON bytes and the group it goes in (aws:kafka: `topic-partition`). */
export interface EncodedItem {
  readonly json: Buffer;
  readonly group: string;
}

/** The size of a payload as items are added, exact to the byte. */
export interface PayloadSizer {
  /** Bytes of the payload with the items added so far plus `item`. */
  sizeWith(item: EncodedItem): number;
  add(item: EncodedItem): void;
  readonly size: number;
  readonly count: number;
}

export interface PayloadShape {
  /** Throws when the delivery cannot be encoded (the event cannot ever be sent). */
  encode(d: Delivery): EncodedItem;
  sizer(): PayloadSizer;
  /** The payload of these items (in this order within their groups). */
  assemble(items: readonly EncodedItem[]): Buffer;
}

export interface InvocationPlan {
  /** Indexes into the items, in order; each chunk's payload is at most the limit. */
  readonly chunks: number[][];
  /** Items whose payload alone is over the limit. */
  readonly oversize: number[];
}

/**
 * Greedy, order-keeping: items go into the current chunk while its payload stays within `limit`;
 * the first that does not fit starts the next chunk. `items[i]` undefined = not to be sent.
 */
export function planInvocations(items: readonly (EncodedItem | undefined)[], shape: PayloadShape, limit: number): InvocationPlan {
  const chunks: number[][] = [];
  const oversize: number[] = [];
  let chunk: number[] = [];
  let sizer = shape.sizer();
  items.forEach((item, i) => {
    if (item === undefined) return;
    if (shape.sizer().sizeWith(item) > limit) {
      oversize.push(i);
      return;
    }
    if (sizer.count > 0 && sizer.sizeWith(item) > limit) {
      chunks.push(chunk);
      chunk = [];
      sizer = shape.sizer();
    }
    sizer.add(item);
    chunk.push(i);
  });
  if (chunk.length > 0) chunks.push(chunk);
  return { chunks, oversize };
}
