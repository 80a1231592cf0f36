/**
 * EventBridge pattern semantics, one row = (pattern, event, expected). Rows come from the
 * examples in the AWS EventBridge User Guide (section named on each group) and, where marked,
 * from the README of aws/event-ruler (the matcher AWS publishes). Events are EventBridge-shaped
 * JSON documents, matched with `matchesJson`.
 */
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../src/route/filters/index.js';

type Row = readonly [pattern: unknown, event: unknown, expected: boolean, note?: string];
interface Group {
  readonly section: string;
  readonly rows: readonly Row[];
}

const ec2 = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const macie = {
  'detail-type': 'Macie Alert',
  source: 'aws.macie',
  detail: {
    'notification-type': 'ALERT_CREATED',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'alert-type': 'basic', risk: 8 },
  },
};
const autoscaling = {
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};
/** The sample event of the event-ruler README, reused by the content-filtering examples. */
const ruler = {
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};
const withDetail = (detail: Record<string, unknown>) => ({ source: 'aws.ec2', detail });
const employees = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};
const cloudwatch = (extra: Record<string, unknown>) => ({ source: 'aws.cloudwatch', ...extra });
const complex = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
    'source-ip': [{ cidr: '10.0.0.0/8' }],
  },
};
const numericPattern = {
  detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] },
};
const ec2Termination = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

const GROUPS: readonly Group[] = [
  {
    section: 'Event pattern syntax › Matching event values (eb-create-pattern)',
    rows: [
      [ec2Termination, ec2, true, 'the EC2 instance-termination example'],
      [{ ...ec2Termination, detail: { state: ['running'] } }, ec2, false],
      [{ source: ['aws.ec2', 'aws.fargate'] }, ec2, true, 'values in the array are ORed'],
      [{ source: ['aws.fargate'] }, ec2, false],
      [{ detail: { state: ['Terminated'] } }, ec2, false, 'exact, case-sensitive'],
      [{ detail: { 'no-such-field': ['x'] } }, ec2, false, 'the event must contain every field named'],
      [{ state: ['terminated'] }, ec2, false, 'with the same nesting structure'],
      [{ detail: { 'instance-id': ['i-1234567890abcdef0'], state: ['terminated'] } }, ec2, true, 'fields are ANDed'],
      [{ detail: { 'instance-id': ['i-other'], state: ['terminated'] } }, ec2, false],
    ],
  },
  {
    section: 'Event patterns › Value matching (Macie example, eb-event-patterns)',
    rows: [
      [{ source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } }, macie, true],
      [{ detail: { 'risk-score': ['80'] } }, macie, false, 'the string "80" is not the number 80'],
      [{ detail: { 'risk-score': [81] } }, macie, false],
      [{ detail: { trigger: { 'alert-type': ['basic'], risk: [9] } } }, macie, false],
    ],
  },
  {
    section: 'Matching null values and empty strings (eb-event-patterns-null-values)',
    rows: [
      [{ detail: { eventVersion: [''] } }, autoscaling, true],
      [{ detail: { responseElements: [null] } }, autoscaling, true],
      [{ detail: { responseElements: [''] } }, autoscaling, false, 'null and "" are not interchangeable'],
      [{ detail: { eventVersion: [null] } }, autoscaling, false],
      [{ detail: { notThere: [null] } }, autoscaling, false, 'null matches a null value, not an absent field'],
    ],
  },
  {
    section: 'Arrays in event patterns (eb-event-patterns-arrays)',
    rows: [
      [
        { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] },
        {
          resources: [
            'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56',
            'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          ],
        },
        true,
        'non-empty intersection',
      ],
      [{ resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, { resources: ['arn:a', 'arn:b'] }, false],
      [{ detail: { tags: ['Insider'] } }, macie, true],
      [{ resources: ['x'] }, autoscaling, false, 'an empty event array matches no value'],
    ],
  },
  {
    section: 'event-ruler README › JSON Array Matching (array-consistent)',
    rows: [
      [{ employees: { firstName: ['Anna'] } }, employees, true],
      [{ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees, false, 'fields from different array elements never combine'],
      [{ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees, true],
      [
        { employees: { firstName: ['Peter'] } },
        { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] },
        true,
        'multi-level arrays',
      ],
    ],
  },
  {
    section: 'Comparison operators › Prefix matching',
    rows: [
      [{ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
      [{ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T18:43:48Z' }, false],
      [{ source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] }, { source: 'aws.autoscaling', region: 'eu-west-1' }, true],
      [{ source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] }, autoscaling, false],
      [{ detail: { 'c-count': [{ prefix: '5' }] } }, ruler, false, 'prefix only works on string values'],
    ],
  },
  {
    section: 'Comparison operators › Prefix matching while ignoring case',
    rows: [
      [{ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'EventBridge' }), true],
      [{ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'eventbridge' }), true],
      [{ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'EVENTBRIDGE' }), true],
      [{ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'Lambda' }), false],
    ],
  },
  {
    section: 'Comparison operators › Suffix matching',
    rows: [
      [{ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
      [{ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' }, false],
      [{ FileName: [{ suffix: '.png' }] }, { FileName: 'image.jpg' }, false],
    ],
  },
  {
    section: 'Comparison operators › Suffix matching while ignoring case',
    rows: [
      [{ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'photo.PNG' }), true],
      [{ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'photo.png' }), true],
      [{ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'photo.gif' }), false],
    ],
  },
  {
    section: 'Comparison operators › Anything-but matching',
    rows: [
      [{ detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'running' }), true],
      [{ detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'initializing' }), false],
      [{ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 124 }), true],
      [{ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 123 }), false],
      [{ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, withDetail({ state: 'stopped' }), false],
      [{ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, withDetail({ state: 'running' }), true],
      [{ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, withDetail({ 'x-limit': 200 }), false],
      [{ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ruler, true],
      [{ detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({}), false, 'anything-but needs the field to exist'],
      [{ 'detail-type': [{ 'anything-but': 'AWS API Call via CloudTrail' }] }, ec2, true],
      [{ source: [{ 'anything-but': ['aws.ec2', 'aws.s3'] }] }, ec2, false],
    ],
  },
  {
    section: 'Comparison operators › Anything-but (begins with / ends with)',
    rows: [
      [{ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, withDetail({ state: 'initializing' }), false],
      [{ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, withDetail({ state: 'running' }), true],
      [{ source: [{ 'anything-but': { prefix: 'aws.' } }] }, { source: 'com.mycompany.orders' }, true, 'only your own events'],
      [{ source: [{ 'anything-but': { prefix: 'aws.' } }] }, ec2, false],
      [{ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false],
      [{ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.txt' }, true],
    ],
  },
  {
    section: 'Comparison operators › Anything-but (ignore case)',
    rows: [
      [{ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }, false],
      [{ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'running' }, true],
      [{ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'Stopped' }, false],
    ],
  },
  {
    section: 'Comparison operators › Anything-but using a wildcard',
    rows: [
      [{ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/libc.so' }, false],
      [{ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/env' }, true],
    ],
  },
  {
    section: 'Comparison operators › Numeric matching',
    rows: [
      [numericPattern, ruler, true, 'c-count 5, d-count 3, x-limit 301.8 = 3.018e2'],
      [numericPattern, { ...ruler, detail: { ...ruler.detail, 'c-count': 6 } }, false],
      [numericPattern, { ...ruler, detail: { ...ruler.detail, 'c-count': 0 } }, false, '">" 0 is open at the bottom'],
      [numericPattern, { ...ruler, detail: { ...ruler.detail, 'c-count': '5' } }, false, 'numeric only matches JSON numbers'],
      [{ Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, true],
      [{ Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, true],
      [{ Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 10 }, false],
    ],
  },
  {
    section: 'Comparison operators › IP address matching',
    rows: [
      [{ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, withDetail({ sourceIPAddress: '10.0.0.255' }), true],
      [{ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, withDetail({ sourceIPAddress: '10.0.0.0' }), true],
      [{ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, withDetail({ sourceIPAddress: '10.0.1.0' }), false],
      [{ detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, withDetail({ sourceIPAddress: '2001:db8:0:0:1::1' }), true, 'IPv6'],
      [{ detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, withDetail({ sourceIPAddress: '2001:db9::1' }), false],
      [{ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, withDetail({ sourceIPAddress: 'not-an-ip' }), false],
    ],
  },
  {
    section: 'Comparison operators › Exists matching',
    rows: [
      [{ detail: { state: [{ exists: true }] } }, { ...ec2, detail: { 'instance-id': 'i-abcd1111', state: 'pending' } }, true],
      [{ detail: { state: [{ exists: true }] } }, withDetail({ 'c-count': { c1: 100 } }), false],
      [{ detail: { 'c-count': [{ exists: false }] } }, withDetail({ state: ['initializing', 'running'] }), true],
      [{ detail: { 'c-count': [{ exists: false }] } }, withDetail({ 'c-count': { c1: 100 } }), true, 'c-count is not a leaf node'],
      [{ detail: { 'c-count': [{ exists: false }] } }, ruler, false],
      [{ detail: { description: [{ exists: true }] } }, withDetail({ description: 'an indexable text' }), true],
    ],
  },
  {
    section: 'Comparison operators › Equals-ignore-case matching',
    rows: [
      [{ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' }, true],
      [{ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true],
      [{ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' }, false],
    ],
  },
  {
    section: 'Comparison operators › Wildcard matching (and event-ruler README)',
    rows: [
      [{ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueService' }, true],
      [{ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' }, true, '* matches zero characters'],
      [{ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueServices' }, false],
      [
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' },
        true,
      ],
      [
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' },
        false,
      ],
      [{ key: [{ wildcard: '*Title*' }] }, { key: 'My Title here' }, true],
      [{ key: [{ wildcard: 'a\\*b' }] }, { key: 'a*b' }, true, '\\* is a literal asterisk'],
      [{ key: [{ wildcard: 'a\\*b' }] }, { key: 'axxb' }, false],
    ],
  },
  {
    section: 'Comparison operators › Complex example with multiple matching',
    rows: [
      [complex, ruler, true],
      [complex, { ...ruler, detail: { ...ruler.detail, state: 'initializing' } }, false],
      [complex, { ...ruler, detail: { ...ruler.detail, 'source-ip': '192.168.0.1' } }, false],
    ],
  },
  {
    section: 'Comparison operators › Complex example with $or matching (and event-ruler README)',
    rows: [
      [
        { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
        cloudwatch({ metricName: 'CPUUtilization' }),
        true,
      ],
      [
        { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
        cloudwatch({ namespace: 'AWS/ES' }),
        true,
      ],
      [
        { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
        cloudwatch({ metricName: 'Other' }),
        false,
      ],
      [
        { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] },
        { source: 'aws.ec2', metricName: 'CPUUtilization' },
        false,
      ],
      [
        {
          source: ['aws.cloudwatch'],
          $or: [
            { metricName: ['CPUUtilization'] },
            { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
            { scope: ['Service'] },
          ],
        },
        cloudwatch({ metricType: 'MetricType', namespace: 'AWS/EC2' }),
        true,
        '"Or" has an "And" inside',
      ],
      [
        {
          source: ['aws.cloudwatch'],
          $or: [
            { metricName: ['CPUUtilization'] },
            { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
            { scope: ['Service'] },
          ],
        },
        cloudwatch({ metricType: 'MetricType' }),
        false,
      ],
      [
        {
          $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
          detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
        },
        { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
        true,
        'parallel $or',
      ],
      [
        {
          source: ['aws.cloudwatch'],
          $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }],
        },
        cloudwatch({ metricType: 'MetricType', spaceId: 1000 }),
        true,
        'nested $or and AND',
      ],
    ],
  },
];

const rowCount = GROUPS.reduce((n, g) => n + g.rows.length, 0);

describe('EventBridge pattern semantics table', () => {
  it(`has at least 60 rows (has ${rowCount})`, () => {
    expect(rowCount).toBeGreaterThanOrEqual(60);
  });

  for (const group of GROUPS) {
    describe(group.section, () => {
      it.each(group.rows.map((r, i) => ({ i, pattern: r[0], event: r[1], expected: r[2], note: r[3] ?? '' })))(
        'row $i: $note → $expected',
        ({ pattern, event, expected }) => {
          expect(compilePattern(pattern).matchesJson(event)).toBe(expected);
        },
      );
    });
  }
});
