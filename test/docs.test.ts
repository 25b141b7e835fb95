/**
 * The documentation is checked against the code it describes:
 * docs/scenario.schema.json is exactly what `tellflow schema` prints, and
 * docs/scenario-format.md covers every node type of the node catalogue, with
 * every param (with the right "required") and every outcome, every UI hint
 * and every json-logic operation, and each of its JSON examples is valid. The
 * example scenarios validate too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BUILTIN_VARIABLES,
  formatIssue,
  LOGIC_OPERATIONS,
  nodeCatalog,
  nodeDefinition,
  SCENARIO_FORMAT,
  scenarioJsonSchema,
  UI_HINTS,
  validateScenario,
  validateSet,
  type Issue,
} from '@tellflow/engine';
import { describe, expect, it } from 'vitest';
import { renderSchema } from '../packages/cli/src/commands/schema.ts';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8').replace(/\r\n/g, '\n');
const doc = read('docs/scenario-format.md');

type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; oneOf?: JsonSchema[]; const?: unknown };
const schema = scenarioJsonSchema() as JsonSchema;
const nodeSchemas = schema.properties!.nodes!.items!.oneOf!;
const nodeSchema = (type: string) => nodeSchemas.find((s) => s.properties?.type?.const === type);
const catalog = nodeCatalog();

/** Every outcome name an entry of the catalogue lists (a branch's case names come from its params). */
const listedOutcomes = (outcomes: (typeof catalog)[number]['outcomes']) =>
  'static' in outcomes ? outcomes.static : outcomes.fromParams.rules.flatMap((r) => r.outcomes);

// ---- reading the markdown -------------------------------------------------

interface Section {
  level: number;
  title: string;
  body: string;
}

/** Every heading with the text up to the next heading of the same or a higher level. */
function sections(markdown: string): Section[] {
  const lines = markdown.split('\n');
  const out: Section[] = [];
  let inFence = false;
  const headings: { level: number; title: string; line: number }[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('```')) inFence = !inFence;
    const m = !inFence && /^(#{1,6}) (.+)$/.exec(line);
    if (m) headings.push({ level: m[1]!.length, title: m[2]!, line: i });
  });
  headings.forEach((h, k) => {
    const end = headings.slice(k + 1).find((n) => n.level <= h.level)?.line ?? lines.length;
    out.push({ level: h.level, title: h.title, body: lines.slice(h.line + 1, end).join('\n') });
  });
  return out;
}

function section(title: string): Section {
  const found = sections(doc).find((s) => s.title === title);
  if (!found) throw new Error(`docs/scenario-format.md has no section "${title}"`);
  return found;
}

const jsonBlocks = (markdown: string) => [...markdown.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** Rows of the field tables (header `| field |`, `| param |` or `| name |`) whose first cell is a `code` name: name → the other cells. */
function tableRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  let inFieldTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) inFieldTable = false;
    else if (/^\| (field|param|name) +\|/.test(line)) inFieldTable = true;
    // Cells may be padded to line the columns up.
    const m = inFieldTable && /^\| `([^`]+)` +\|(.*)\|$/.exec(line);
    if (m)
      rows.set(
        m[1]!,
        m[2]!.split(/(?<!\\)\|/).map((c) => c.trim()),
      );
  }
  return rows;
}

/** GitHub's heading anchors. */
const slug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/**
 * Checks a field table against a JSON Schema object: every property is
 * listed, nothing else is, and the "required" column (the second after the
 * name) says yes exactly for the required ones. Rows `list[].field` are
 * checked against the items of the array `list`, whose fields must all be
 * listed too (with `nested`, also when none is).
 */
function expectTableMatches(where: string, rows: Map<string, string[]>, object: JsonSchema, { nested = true } = {}) {
  const problems: string[] = [];
  const check = (prefix: string, obj: JsonSchema) => {
    const required = new Set(obj.required ?? []);
    for (const [key, prop] of Object.entries(obj.properties ?? {})) {
      const name = prefix + key;
      const row = rows.get(name);
      if (!row) {
        problems.push(`"${name}" is not documented`);
        continue;
      }
      const says = row[1] ?? '';
      if (says.startsWith('yes') !== required.has(key)) problems.push(`"${name}" is ${required.has(key) ? '' : 'not '}required but the table says "${says}"`);
      if (!prefix && prop.items?.properties && [...rows.keys()].some((k) => k.startsWith(`${key}[].`))) check(`${key}[].`, prop.items);
      else if (!prefix && nested && prop.items?.properties) problems.push(`the fields of "${key}[]" are not documented`);
    }
  };
  check('', object);
  for (const name of rows.keys()) {
    const [head, field] = name.split('[].') as [string, string | undefined];
    const owner = field === undefined ? object : object.properties?.[head]?.items;
    if (!owner?.properties?.[field ?? head]) problems.push(`"${name}" is documented but is not a field`);
  }
  expect(problems, `${where} in docs/scenario-format.md`).toEqual([]);
}

/** The "Outcomes:" paragraph of a node section, with the list that follows it, if any. */
function outcomesText(body: string): string | undefined {
  const lines = body.split('\n');
  const from = lines.findIndex((l) => l.startsWith('Outcomes:'));
  if (from < 0) return undefined;
  let to = from + 1;
  while (to < lines.length && (lines[to] !== '' || /^[-\s]/.test(lines[to + 1] ?? 'x'))) to++;
  return lines.slice(from, to).join('\n');
}

const showIssues = (issues: Issue[]) => issues.map((i) => formatIssue(i)).join('\n');

/** A node example, made into the smallest scenario around it: a start node leading to it. */
function scenarioAround(node: { id: string; type: string }) {
  const alone = node.type === 'start';
  return {
    format: SCENARIO_FORMAT,
    id: 'doc-example',
    name: 'Doc example',
    kind: 'dialog',
    nodes: alone ? [node] : [{ id: '__start', type: 'start' }, node],
    edges: alone ? [] : [{ source: '__start', sourceHandle: 'next', target: node.id }],
  };
}

const isNode = (v: unknown): v is { id: string; type: string; params?: unknown } =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' && catalog.some((e) => e.type === (v as { type?: unknown }).type);

// ---- the tests --------------------------------------------------------------

describe('docs/scenario.schema.json', () => {
  it('is exactly what `tellflow schema` prints', () => {
    const hint = 'docs/scenario.schema.json is out of date; regenerate it with: npx tellflow schema > docs/scenario.schema.json';
    const committed = read('docs/scenario.schema.json');
    expect(JSON.parse(committed), hint).toEqual(scenarioJsonSchema());
    expect(committed === renderSchema(), hint).toBe(true);
  });
});

describe('docs/scenario-format.md', () => {
  const nodeSections = new Map(
    sections(doc)
      .filter((s) => s.level === 3)
      .map((s) => [/^`([^`]+)`/.exec(s.title)?.[1], s] as const)
      .filter((e): e is [string, Section] => e[0] !== undefined),
  );

  it('has a section for every node type of the catalogue, titled "`type` — Title"', () => {
    for (const entry of catalog) {
      const s = nodeSections.get(entry.type);
      expect(s?.title, `no "### \`${entry.type}\` — ${entry.title}" section`).toBe(`\`${entry.type}\` — ${entry.title}`);
    }
    const unknown = [...nodeSections.keys()].filter((t) => !catalog.some((e) => e.type === t));
    expect(unknown, 'sections for node types that do not exist').toEqual([]);
  });

  it('lists every node type in the overview table, with its title, category and outcomes', () => {
    const rows = new Map(
      section('Node types')
        .body.split('\n')
        .map((l) => /^\| \[`([^`]+)`\]\(#([^)]+)\) +\| ([^|]+) \| ([^|]+) \| ([^|]+) \|/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[1]!, { anchor: m[2]!, title: m[3]!.trim(), category: m[4]!.trim(), outcomes: m[5]!.trim() }]),
    );
    for (const entry of catalog) {
      const row = rows.get(entry.type);
      expect(row && { ...row, outcomes: undefined }, entry.type).toEqual({
        anchor: slug(`\`${entry.type}\` — ${entry.title}`),
        title: entry.title,
        category: entry.category,
        outcomes: undefined,
      });
      const outcomes = listedOutcomes(entry.outcomes);
      if (outcomes.length === 0) expect(row!.outcomes, entry.type).toBe('none');
      for (const o of outcomes) expect(row!.outcomes, `the outcomes of ${entry.type} in the overview`).toContain(`\`${o}\``);
    }
    expect(rows.size).toBe(catalog.length);
  });

  describe.each(catalog.map((e) => [e.type, e] as const))('node type %s', (type, entry) => {
    const s = () => nodeSections.get(type)!;

    it('documents exactly its params, with the right "required"', () => {
      expectTableMatches(`the params table of "${type}"`, tableRows(s().body), entry.params as JsonSchema);
      // The catalogue and the scenario's JSON Schema agree on the params and on whether they may be left out.
      expect(nodeSchema(type)!.properties!.params).toEqual(expect.objectContaining({ properties: (entry.params as JsonSchema).properties }));
      expect(!nodeSchema(type)!.required!.includes('params')).toBe(entry.paramsOptional);
      expect(s().body.includes('`params` is optional'), `whether "${type}" says "\`params\` is optional"`).toBe(entry.paramsOptional);
    });

    it('documents its outcomes as the catalogue gives them', () => {
      const paragraph = outcomesText(s().body);
      expect(paragraph, `"${type}" has no "Outcomes:" paragraph`).toBeDefined();
      const outcomes = listedOutcomes(entry.outcomes);
      if (outcomes.length === 0) expect(paragraph).toMatch(/^Outcomes: none/);
      for (const o of outcomes) expect(paragraph, `outcome "${o}" of "${type}"`).toContain(`\`${o}\``);
      // Outcomes that follow from the params: the text names the params they follow from.
      if ('fromParams' in entry.outcomes) for (const rule of entry.outcomes.fromParams.rules) expect(paragraph).toContain(`\`${rule.when}\``);
    });

    it('has a valid node example that names all its outcomes', () => {
      const examples = jsonBlocks(s().body)
        .map((b) => JSON.parse(b) as unknown)
        .filter(isNode);
      expect(examples.filter((n) => n.type === type).length, `"${type}" needs an example node`).toBeGreaterThan(0);
      for (const node of examples) {
        // Outcomes named in the example's own params (branch cases) need not be in the text.
        const own = JSON.stringify(node.params ?? {});
        for (const outcome of nodeDefinition(node.type)!
          .outcomes(node.params ?? {})
          .filter((o) => !own.includes(JSON.stringify(o)))) {
          expect(s().body, `outcome "${outcome}" of the "${node.id}" example`).toContain(`\`${outcome}\``);
        }
      }
    });
  });

  it('every ```json block parses; full scenarios are valid without warnings; nodes are valid nodes', () => {
    const blocks = jsonBlocks(doc);
    let scenarios = 0;
    let nodes = 0;
    for (const [i, text] of blocks.entries()) {
      let value: unknown;
      expect(() => (value = JSON.parse(text)), `json block ${i + 1} is not JSON:\n${text}`).not.toThrow();
      if (typeof value === 'object' && value !== null && 'format' in value) {
        scenarios++;
        const result = validateScenario(value);
        expect(showIssues(result.issues), `json block ${i + 1} (a scenario)`).toBe('');
      } else if (isNode(value)) {
        nodes++;
        const result = validateScenario(scenarioAround(value));
        expect(showIssues(result.issues.filter((x) => x.severity === 'error')), `json block ${i + 1} (node "${value.id}")`).toBe('');
      } else if (typeof value === 'object' && value !== null && 'name' in value) {
        // A variable declaration.
        const result = validateScenario({ ...scenarioAround({ id: 'end', type: 'end' }), variables: [value] });
        expect(showIssues(result.issues), `json block ${i + 1} (a variable declaration)`).toBe('');
      }
    }
    expect(scenarios).toBeGreaterThan(0);
    expect(nodes).toBeGreaterThanOrEqual(catalog.length);
  });

  it('documents the top-level fields, the node object, edges and variable declarations', () => {
    // Variables and edges have their own sections, checked below.
    expectTableMatches('the top-level fields table', tableRows(section('Top-level fields').body), schema, { nested: false });
    const sqlNode = nodeSchema('sql')!;
    expectTableMatches('the node fields table', tableRows(section('Nodes').body), sqlNode);
    expectTableMatches('the edge fields table', tableRows(section('Edges').body), schema.properties!.edges!.items!);
    expectTableMatches('the variable declaration table', tableRows(section('Declared variables').body), schema.properties!.variables!.items!);
    const test = schema.properties!.tests!.items!;
    expectTableMatches('the test case table', tableRows(section('Test case fields').body), test);
    expectTableMatches('the expectation table', tableRows(section('Expectations').body), test.properties!.expect!);
  });

  it('names every json-logic operation and every built-in variable', () => {
    const expressions = section('Expressions (json-logic)').body;
    const missing = [...LOGIC_OPERATIONS].filter((op) => !expressions.includes(`\`${op}\``));
    expect(missing, 'json-logic operations missing from "Expressions"').toEqual([]);
    const builtins = tableRows(section('Built-in variables').body);
    expect([...builtins.keys()].sort()).toEqual([...BUILTIN_VARIABLES].sort());
  });

  it('explains every UI hint of the catalogue, and no other', () => {
    const rows = section('Node catalogue (for tools)')
      .body.split('\n')
      .map((l) => /^\| `([^`]+)` +\| (.+?) +\|$/.exec(l))
      .filter((m) => m !== null);
    expect(rows.map((m) => m[1])).toEqual([...UI_HINTS]);
    for (const m of rows) expect(m[2], `the meaning of "${m[1]}"`).not.toBe('');
  });

  it('has no links to missing headings', () => {
    const anchors = new Set(sections(doc).map((s) => slug(s.title)));
    const broken = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!).filter((a) => !anchors.has(a));
    expect(broken).toEqual([]);
  });
});

describe('scenarios/examples', () => {
  const dir = join(root, 'scenarios/examples');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('are valid together, without warnings, and re-import unchanged', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    const docs = files.map((f) => ({ source: f, doc: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown }));
    const result = validateSet(docs);
    expect(result.results.map((r) => `${r.source}: ${showIssues(r.issues) || 'ok'}`)).toEqual(files.map((f) => `${f}: ok`));
    for (const [i, r] of result.results.entries()) expect(r.scenario, r.source).toEqual(docs[i]!.doc);
  });

  it('are named after their scenario id', () => {
    for (const f of files) expect((JSON.parse(readFileSync(join(dir, f), 'utf8')) as { id: string }).id).toBe(f.replace(/\.json$/, ''));
  });
});
