/** The benchmarks' 1 KiB event: a valid `item.listed` whose free-text description pads it to size. */
export const ITEM_TYPE = 'com.example.auction.item.listed';

/** JSON data of exactly `bytes` bytes, keyed by itemId over 1,000 items so every partition is used. */
export function itemListedData(bytes = 1024): string {
  const d = {
    itemId: `item-${Math.floor(Math.random() * 1000)}`,
    sellerId: 'seller-7',
    title: 'Bench lamp',
    description: '',
    startingPrice: 10.5,
    currency: 'EUR',
    startsAt: '2024-05-01T10:00:00Z',
    endsAt: '2024-05-08T10:00:00Z',
  };
  d.description = 'd'.repeat(Math.max(0, bytes - JSON.stringify(d).length));
  return JSON.stringify(d);
}
