import { describe, expect, it } from 'vitest';
import { parseEventYaml } from '../../../src/registry/parse-event-yaml.js';

const F = 'schemas/x.a/event.yaml';

describe('parseEventYaml', () => {
  it('reads every key', () => {
    const text = [
      'topic: auction.bids',
      'partitionKey: /item/id~1x',
      'compatibility: full',
      'owner: team-auctions',
      'description: A bid.',
      'contentType: application/xml',
    ].join('\n');
    expect(parseEventYaml(text, F)).toEqual({
      problems: [],
      config: {
        topic: 'auction.bids',
        partitionKey: { pointer: '/item/id~1x' },
        compatibility: 'full',
        owner: 'team-auctions',
        description: 'A bid.',
        contentType: 'application/xml',
      },
    });
  });

  it('defaults compatibility to backward and accepts attribute partition keys', () => {
    expect(parseEventYaml('partitionKey: subject', F).config).toEqual({
      compatibility: 'backward',
      partitionKey: { attribute: 'subject' },
    });
  });

  it('reports every bad key with its pointer', () => {
    const text = [
      'topic: "bad topic!"',
      'partitionKey: Item-Id',
      'compatibility: BACKWARD_TRANSITIVE',
      'owner: 42',
      'contentType: xml',
      'retention: 7d',
    ].join('\n');
    const { config, problems } = parseEventYaml(text, F);
    expect(config).toBeUndefined();
    expect(problems.map((p) => [p.pointer, p.file])).toEqual([
      ['/retention', F],
      ['/topic', F],
      ['/partitionKey', F],
      ['/compatibility', F],
      ['/contentType', F],
      ['/owner', F],
    ]);
    expect(problems[0]?.message).toContain('unknown key "retention"');
    expect(problems[3]?.message).toBe('compatibility must be one of none, backward, forward, full (got "BACKWARD_TRANSITIVE")');
  });

  it('rejects malformed JSON pointers and the pseudo-attribute data', () => {
    expect(parseEventYaml('partitionKey: /a~2b', F).problems[0]?.message).toContain('not a valid JSON pointer');
    expect(parseEventYaml('partitionKey: data', F).problems[0]?.message).toContain('"/itemId"');
    expect(parseEventYaml('partitionKey: /', F).config?.partitionKey).toEqual({ pointer: '/' });
  });

  it('reports YAML syntax errors with line and column, and a non-mapping document', () => {
    expect(parseEventYaml('topic: [a\n', F).problems).toEqual([
      { file: F, message: expect.stringMatching(/^invalid YAML: .* at line 2, column 1$/) },
    ]);
    expect(parseEventYaml('', F).problems).toEqual([{ file: F, pointer: '', message: expect.stringContaining('must be a mapping') }]);
    expect(parseEventYaml('- topic: a', F).problems[0]?.message).toContain('must be a mapping');
  });
});
