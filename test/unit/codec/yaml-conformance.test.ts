/**
 * conformance/yaml/v1.yaml and v1.0/v1_minimum.yaml: the test builds the HTTP binary and structured
 * requests itself (shared/acceptance/README.md, "conformance/yaml/") and decodeHttp must give back
 * the described attributes and data. Each event also goes HTTP binary → Kafka binary → HTTP
 * structured unchanged (spec digest §9).
 */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  decodeHttp,
  decodeKafka,
  encodeHttpStructured,
  encodeKafkaBinary,
  isJsonContentType,
  percentEncode,
} from '../../../src/codec/index.js';
import { readAcceptance, text, utf8 } from './support.js';

interface Doc {
  Mode?: string;
  ContextAttributes: Record<string, string> & { Extensions?: Record<string, string> };
  TransportExtensions?: Record<string, string>;
  Data: string;
}

// FAILSAFE_SCHEMA: every scalar is a string, so `specversion: 1.0` stays "1.0" and `time` stays as written.
const docs = ['yaml/v1.yaml', 'yaml/v1.0/v1_minimum.yaml'].flatMap((f) =>
  (yaml.loadAll(readAcceptance(f), undefined, { schema: yaml.FAILSAFE_SCHEMA }) as Doc[]).map(
    (d, i) => [`${f}#${i} (${d.ContextAttributes['id']})`, d] as const,
  ),
);

/** The expected attributes: extensions trimmed, like the upstream CLI (`comexampleextension2` ends in "\n"). */
function attributesOf(d: Doc): Record<string, string> {
  const { Extensions, ...core } = d.ContextAttributes;
  const ext = Object.fromEntries(Object.entries(Extensions ?? {}).map(([k, v]) => [k, v.trim()]));
  return { ...core, ...ext };
}

/** Non-CloudEvents HTTP headers (such as user-agent): sent along, never attributes (CORE-S7). */
const TransportExtensionsOf = (d: Doc): Record<string, string> => d.TransportExtensions ?? {};

function binaryRequest(d: Doc): { headers: Record<string, string[]>; body: Uint8Array } {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(TransportExtensionsOf(d))) headers[k] = [v];
  for (const [name, value] of Object.entries(attributesOf(d))) {
    if (name === 'datacontenttype') headers['content-type'] = [value];
    else headers[`ce-${name}`] = [percentEncode(value)];
  }
  return { headers, body: utf8(d.Data) };
}
function structuredRequest(d: Doc): { headers: Record<string, string[]>; body: Uint8Array } {
  const attrs = attributesOf(d);
  const members = Object.entries(attrs).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  // JSON data goes in as a JSON value (JSON-M5), text as a JSON string.
  members.push(`"data":${isJsonContentType(attrs['datacontenttype']) ? d.Data : JSON.stringify(d.Data)}`);
  return {
    headers: {
      'content-type': ['application/cloudevents+json'],
      ...Object.fromEntries(Object.entries(TransportExtensionsOf(d)).map(([k, v]) => [k, [v]])),
    },
    body: utf8(`{${members.join(',')}}`),
  };
}

describe('conformance YAML events over HTTP', () => {
  it('loads all 8 v1 event documents (2 + 6) with string values', () => {
    expect(docs).toHaveLength(8);
    expect(docs.every(([, d]) => d.ContextAttributes['specversion'] === '1.0')).toBe(true);
    expect(docs[0]?.[1].ContextAttributes['time']).toBe('2018-04-05T03:56:24Z');
  });

  it.each(docs)('%s in binary mode', (_name, d) => {
    const { headers, body } = binaryRequest(d);
    const { mode, events } = decodeHttp(headers, body);
    expect(mode).toBe('binary');
    expect(events[0]?.attributes).toEqual(attributesOf(d));
    expect(text(events[0]?.data)).toBe(d.Data); // byte for byte, trailing newline included (HTTP-M3)
  });

  it.each(docs)('%s in structured mode', (_name, d) => {
    const { headers, body } = structuredRequest(d);
    const { mode, events } = decodeHttp(headers, body);
    expect(mode).toBe('structured');
    expect(events[0]?.attributes).toEqual(attributesOf(d));
    if (isJsonContentType(attributesOf(d)['datacontenttype'])) {
      // The JSON value's own text: whitespace around it is not part of it.
      expect(text(events[0]?.data)).toBe(d.Data.trim());
    } else {
      expect(text(events[0]?.data)).toBe(d.Data);
    }
  });

  it.each(docs)('%s: HTTP binary → Kafka binary → HTTP structured keeps attributes and data', (_name, d) => {
    const { headers, body } = binaryRequest(d);
    const fromHttp = decodeHttp(headers, body).events[0];
    expect(fromHttp).toBeDefined();
    const rec = encodeKafkaBinary(fromHttp!, null);
    const fromKafka = decodeKafka(
      Object.entries(rec.headers).map(([k, v]) => [k, utf8(v)] as const),
      rec.value,
      rec.key,
    );
    expect(fromKafka).toEqual(fromHttp);
    const out = encodeHttpStructured(fromKafka);
    const back = decodeHttp({ 'content-type': [out.headers['content-type'] as string] }, out.body as Uint8Array).events[0];
    expect(back?.attributes).toEqual(attributesOf(d));
    const ct = attributesOf(d)['datacontenttype'];
    if (isJsonContentType(ct)) expect(JSON.parse(text(back?.data) ?? '')).toEqual(JSON.parse(d.Data));
    else expect(text(back?.data)).toBe(d.Data);
  });
});
