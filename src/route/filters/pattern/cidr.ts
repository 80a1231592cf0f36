/**
 * `cidr` matching (AWS EventBridge User Guide, "Comparison operators…" › "IP address matching":
 * IPv4 and IPv6). An event value matches when it is a string holding an address of the same
 * family inside the block. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) counts as IPv4, as
 * it does for the JDK address parser EventBridge's matcher (aws/event-ruler) relies on.
 */

export interface IpAddress {
  readonly v6: boolean;
  readonly value: bigint;
}

export interface CidrBlock {
  readonly v6: boolean;
  readonly low: bigint;
  readonly high: bigint;
}

const V4_PART = /^(0|[1-9][0-9]{0,2})$/;
const V6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!V4_PART.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const out: bigint[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (i === parts.length - 1 && p.includes('.')) {
      // An embedded IPv4 tail (`::ffff:10.0.0.1`) fills the last two groups.
      const v4 = parseV4(p);
      if (v4 === undefined) return undefined;
      out.push(v4 >> 16n, v4 & 0xffffn);
    } else {
      if (!V6_GROUP.test(p)) return undefined;
      out.push(BigInt(parseInt(p, 16)));
    }
  }
  return out;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const given = head.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  const groups = [...head, ...new Array<bigint>(8 - given).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

const V4_MAPPED_HIGH = 0xffffn << 32n;

/** Parses an IPv4 or IPv6 literal; undefined when `text` is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const v = parseV6(text);
    if (v === undefined) return undefined;
    if (v >> 32n === 0xffffn) return { v6: false, value: v & 0xffffffffn };
    return { v6: true, value: v };
  }
  const v = parseV4(text);
  return v === undefined ? undefined : { v6: false, value: v };
}

/**
 * Parses `addr/bits`; returns the reason as a string when invalid. We reject a block whose
 * host bits are set (`10.0.0.1/24`): event-ruler would take the given address as the low end
 * of the range rather than masking it, so such a block means different things to different
 * readers; asking for `10.0.0.0/24` removes the doubt.
 */
export function parseCidr(text: string): CidrBlock | string {
  const slash = text.split('/');
  if (slash.length !== 2) return 'malformed CIDR: exactly one "/" is required';
  const [addrText, bitsText] = slash as [string, string];
  if (!/^[0-9]{1,3}$/.test(bitsText)) return 'malformed CIDR: the prefix length must be a non-negative integer';
  const ip = addrText.includes(':') ? parseV6(addrText) : parseV4(addrText);
  if (ip === undefined) return `malformed CIDR: "${addrText}" is not an IP address`;
  const v6 = addrText.includes(':');
  const width = v6 ? 128n : 32n;
  const bits = BigInt(Number(bitsText));
  if (bits > width) return `malformed CIDR: prefix length must be at most ${width}`;
  const hostMask = (1n << (width - bits)) - 1n;
  if ((ip & hostMask) !== 0n) {
    return `CIDR has host bits set; did you mean ${formatLow(ip & ~hostMask, v6)}/${bits}?`;
  }
  return { v6, low: ip, high: ip | hostMask };
}

function formatLow(v: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((v >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

export function cidrContains(block: CidrBlock, value: string): boolean {
  const ip = parseIp(value);
  return ip !== undefined && ip.v6 === block.v6 && ip.value >= block.low && ip.value <= block.high;
}
