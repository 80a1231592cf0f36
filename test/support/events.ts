import { randomUUID } from 'node:crypto';

export const BID_TYPE = 'com.example.auction.bid.placed';
export const ITEM_TYPE = 'com.example.auction.item.listed';

export function bidData(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { itemId: 'item-42', bidId: randomUUID(), bidder: 'alice', amount: 150, currency: 'EUR', ...over };
}

/** A structured-mode JSON event for the auction domain. */
export function bidEvent(over: Record<string, unknown> = {}, data: Record<string, unknown> = bidData()): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/auction/web',
    type: BID_TYPE,
    datacontenttype: 'application/json',
    data,
    ...over,
  };
}

export function binaryHeaders(attrs: Record<string, string>, contentType = 'application/json'): Record<string, string> {
  const h: Record<string, string> = { 'content-type': contentType };
  for (const [k, v] of Object.entries(attrs)) h[`ce-${k}`] = v;
  return h;
}
