/**
 * RFC 3986 grammar checks, written by hand because `new URL()` rejects relative
 * references (`#fragment`, `/path`) that CloudEvents' URI-reference type allows (CORE-M4, CORE-M21).
 */

// pchar = unreserved / pct-encoded / sub-delims / ":" / "@"  (RFC 3986 §3.3)
const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED_SUB = "A-Za-z0-9\\-._~!$&'()*+,;=";
const PCHAR = `(?:[${UNRESERVED_SUB}:@]|${PCT})`;
const SEGMENT_NC = `(?:[${UNRESERVED_SUB}@]|${PCT})`; // pchar without ":" (segment-nz-nc)

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const PATH = new RegExp(`^(?:${PCHAR}|/)*$`);
const QUERY_OR_FRAGMENT = new RegExp(`^(?:${PCHAR}|[/?])*$`);
const FIRST_SEGMENT_NOSCHEME = new RegExp(`^${SEGMENT_NC}*$`);
const USERINFO = new RegExp(`^(?:[${UNRESERVED_SUB}:]|${PCT})*$`);
const REG_NAME = new RegExp(`^(?:[${UNRESERVED_SUB}]|${PCT})*$`);
const PORT = /^[0-9]*$/;
const IPV_FUTURE = new RegExp(`^v[0-9A-Fa-f]+\\.[${UNRESERVED_SUB}:]+$`);
const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
const H16 = /^[0-9A-Fa-f]{1,4}$/;

/** RFC 3986 §3.2.2 IPv6address, including the embedded-IPv4 forms and `::` compression. */
export function isIpv6(s: string): boolean {
  const parts = s.split('::');
  if (parts.length > 2) return false;
  const groups = (p: string): string[] => (p === '' ? [] : p.split(':'));
  const head = groups(parts[0] ?? '');
  const tail = parts.length === 2 ? groups(parts[1] ?? '') : [];
  const all = [...head, ...tail];
  let count = all.length;
  const last = all[all.length - 1];
  // ls32 may be an IPv4 address, which counts as two 16-bit pieces; only in the last position.
  if (last !== undefined && last.includes('.')) {
    if (!IPV4.test(last)) return false;
    all.pop();
    count += 1;
  }
  if (!all.every((g) => H16.test(g))) return false;
  return parts.length === 2 ? count <= 7 : count === 8;
}

function isAuthority(a: string): boolean {
  const at = a.indexOf('@');
  if (at >= 0 && !USERINFO.test(a.slice(0, at))) return false;
  const hostPort = at >= 0 ? a.slice(at + 1) : a;
  let port = '';
  let host = hostPort;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return false;
    const literal = hostPort.slice(1, close);
    if (!isIpv6(literal) && !IPV_FUTURE.test(literal)) return false;
    const rest = hostPort.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return false;
    port = rest.slice(1);
    host = '';
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
  }
  // IPv4address is a subset of reg-name, so one check covers both.
  return REG_NAME.test(host) && PORT.test(port);
}

interface UriParts {
  readonly scheme: string | undefined;
}

/** Parses per RFC 3986 §4.1 (URI-reference); null when no production matches. */
function parseReference(s: string): UriParts | null {
  let rest = s;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    if (!QUERY_OR_FRAGMENT.test(rest.slice(hash + 1))) return null;
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    if (!QUERY_OR_FRAGMENT.test(rest.slice(q + 1))) return null;
    rest = rest.slice(0, q);
  }
  let scheme: string | undefined;
  const colon = rest.indexOf(':');
  const slash = rest.indexOf('/');
  if (colon >= 0 && (slash < 0 || colon < slash)) {
    // A ":" before any "/" can only be the scheme delimiter (path-noscheme forbids it).
    scheme = rest.slice(0, colon);
    if (!SCHEME.test(scheme)) return null;
    rest = rest.slice(colon + 1);
  }
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    if (!isAuthority(authority)) return null;
    rest = end < 0 ? '' : rest.slice(end);
  } else if (scheme === undefined && !FIRST_SEGMENT_NOSCHEME.test(rest.split('/')[0] ?? '')) {
    return null;
  }
  return PATH.test(rest) ? { scheme } : null;
}

/** RFC 3986 §4.1 URI-reference: an absolute URI or a relative reference (CORE-M4). */
export function isUriReference(s: string): boolean {
  return parseReference(s) !== null;
}

/**
 * A URI with a scheme (CORE-M10, CORE-M21). Deviation: a fragment is tolerated although
 * §4.3 absolute-URI has none, because schema references such as `…/schema.json#/defs/x`
 * are common; this is the same reading JSON Schema's `uri` format takes.
 */
export function isAbsoluteUri(s: string): boolean {
  return parseReference(s)?.scheme !== undefined;
}
