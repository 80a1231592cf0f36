/**
 * A minimal reader for the two upstream Gherkin files in conformance/features/: scenarios with
 * steps, doc strings, tables and Scenario Outline examples. Enough for those files, nothing more.
 */

export interface Step {
  readonly text: string;
  readonly docString?: string;
  readonly table?: string[][];
}

export interface Scenario {
  readonly name: string;
  readonly steps: Step[];
}

interface RawScenario {
  name: string;
  steps: Array<{ text: string; docString?: string; table?: string[][] }>;
  examples: string[][];
}

const STEP = /^(Given|When|Then|And|But)\s+(.*)$/;
const row = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/** Parses a feature file and expands Scenario Outlines with their Examples. */
export function readFeature(source: string): Scenario[] {
  const lines = source.split(/\r?\n/);
  const raw: RawScenario[] = [];
  let current: RawScenario | undefined;
  let inExamples = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const t = line.trim();
    const scenario = /^Scenario(?: Outline)?:\s*(.*)$/.exec(t);
    if (scenario) {
      current = { name: scenario[1] as string, steps: [], examples: [] };
      raw.push(current);
      inExamples = false;
      continue;
    }
    if (current === undefined) continue;
    if (t === 'Examples:') {
      inExamples = true;
      continue;
    }
    if (t.startsWith('"""')) {
      // Doc string: strip the indentation of the opening delimiter from every content line.
      const indent = line.indexOf('"""');
      const body: string[] = [];
      for (i++; !(lines[i] as string).trim().startsWith('"""'); i++) body.push((lines[i] as string).slice(indent));
      const step = current.steps[current.steps.length - 1];
      if (step) step.docString = body.join('\n');
      continue;
    }
    if (t.startsWith('|')) {
      if (inExamples) current.examples.push(row(t));
      else {
        const step = current.steps[current.steps.length - 1];
        if (step) (step.table ??= []).push(row(t));
      }
      continue;
    }
    const step = STEP.exec(t);
    if (step) current.steps.push({ text: step[2] as string });
  }
  return raw.flatMap(expand);
}

function expand(s: RawScenario): Scenario[] {
  if (s.examples.length === 0) return [{ name: s.name, steps: s.steps }];
  const [header, ...rows] = s.examples as [string[], ...string[][]];
  return rows.map((values) => {
    const sub = (x: string): string => header.reduce((acc, h, i) => acc.split(`<${h}>`).join(values[i] ?? ''), x);
    return {
      name: sub(s.name),
      steps: s.steps.map((st) => ({
        text: sub(st.text),
        ...(st.docString !== undefined ? { docString: sub(st.docString) } : {}),
        ...(st.table !== undefined ? { table: st.table.map((r) => r.map(sub)) } : {}),
      })),
    };
  });
}

/** A table with a `key | value` header row as a record. */
export function keyValueTable(table: string[][] | undefined): Record<string, string> {
  const [, ...rows] = table ?? [];
  return Object.fromEntries(rows.map((r) => [r[0] as string, r[1] as string]));
}

/** Finds the step whose text starts with `prefix`. */
export function step(s: Scenario, prefix: string): Step {
  const found = s.steps.find((st) => st.text.startsWith(prefix));
  if (found === undefined) throw new Error(`scenario "${s.name}" has no step "${prefix}"`);
  return found;
}
