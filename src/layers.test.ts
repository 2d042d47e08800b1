/**
 * The folders under src/ are layers: each imports only the folders below it,
 * so the code reads bottom up and no two folders need each other. LAYERS is
 * the map; this test walks every relative import of every non-test .ts file
 * (the sources, not dist/, so that `import type` counts: a type is a
 * dependency for the reader too) and names each one that points up or sideways,
 * and separately any loop between folders. The files directly in src/
 * (domain.ts, log.ts, random.ts, …) are the leaf "(root)".
 * Tests are left out: a test may reach anywhere.
 *
 * A new folder gets a line here, at the height of what it imports.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from './testing/paths.js';

/** Every folder listed before this one in LAYERS: all the layers below it. */
const ALL_BELOW = '*';

/**
 * Folder → the folders it may import, bottom up along the flow. A folder may
 * also import whatever those may import, so each line names only its nearest
 * neighbours below.
 */
const LAYERS: Record<string, readonly string[] | typeof ALL_BELOW> = {
  // The types every stage shares, the logger, randomness, the clock: import no folder.
  '(root)': [],
  // Leaves every area uses: message catalogs; durations, errors, paths and private
  // files for settings; addresses and prefixes; log lines and timestamps.
  i18n: ['(root)'],
  config: ['(root)', 'i18n'],
  net: ['(root)'],
  parse: ['(root)'],
  // The flow, in order: lines come in, filters make events, detection findings.
  // Each area owns its settings' schema, built from config's leaf.
  sources: ['config'],
  filters: ['parse', 'net', 'config'],
  detect: ['filters'],
  // `sheriff import fail2ban`: another tool's jails and filters as Sheriff's config and filter files.
  import: ['filters'],
  // SQLite keeps the shared records (domain.ts) and knows nobody who writes them.
  store: ['net', 'config'],
  // What is known about an address: trusted networks, GeoIP, blocklists, reputation.
  intel: ['config', 'net'],
  // Bans and approvals: guardrails ask intel whom never to ban; the store keeps them.
  respond: ['store', 'intel', 'i18n'],
  // Findings become incidents, triaged with detection's thresholds; a response
  // joins the attacker's timeline.
  incidents: ['respond', 'detect'],
  // The daily report sums up incidents, bans and logins.
  report: ['incidents'],
  // Alerts, reports and approval cards reach the admin.
  notify: ['report'],
  // The fleet: sensors publish to NATS JetStream and apply the hub's signed decisions with
  // respond's firewall and guardrails; the hub ingests, detects across hosts and notifies.
  fleet: ['notify'],
  // The LLM analyst reads all of the above and talks over notify's channels.
  agent: ['notify'],
  // Datasets and scores for triage and the analyst.
  eval: ['agent'],
  // The console shows sources, incidents, reports and the analyst.
  web: ['agent', 'sources', 'fleet'],
  // The scripted attack `sheriff demo` plays.
  demo: ['parse'],
  // The composition root and the commands wire everything together.
  app: ALL_BELOW,
  cli: ALL_BELOW,
  // Tools around the product: test helpers, benchmarks, packaging. Nothing in
  // the product imports them.
  testing: ALL_BELOW,
  bench: ALL_BELOW,
  packaging: ALL_BELOW,
};

const SRC = join(REPO_ROOT, 'src');
const ROOT = '(root)';

interface Import {
  file: string;
  spec: string;
  from: string;
  to: string;
}

function folderOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length === 1 ? ROOT : parts[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports between folders: `import`, `import type`, `export … from`, `import()`. */
function crossFolderImports(): Import[] {
  return sourceFiles(SRC).flatMap((path) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    return importedFiles.flatMap(({ fileName: spec }) => {
      if (!spec.startsWith('.')) return [];
      const target = resolve(dirname(path), spec);
      if (relative(SRC, target).startsWith('..')) return [];
      const from = folderOf(path);
      const to = folderOf(target);
      return from === to ? [] : [{ file: relative(SRC, path), spec, from, to }];
    });
  });
}

/** What each folder may import, LAYERS' lines followed down; throws when a line points up. */
function allowedImports(): Map<string, Set<string>> {
  const allowed = new Map<string, Set<string>>();
  for (const [folder, below] of Object.entries(LAYERS)) {
    const names = below === ALL_BELOW ? [...allowed.keys()] : below;
    const reach = new Set<string>();
    for (const name of names) {
      const further = allowed.get(name);
      assert.ok(further, `LAYERS: ${folder} names ${name}, which is not listed below it`);
      reach.add(name);
      for (const f of further) reach.add(f);
    }
    allowed.set(folder, reach);
  }
  return allowed;
}

/**
 * Per group of folders that reach each other, the group and its shortest loop
 * through the first of them: "a → b → a", then the import behind each step.
 */
function folderLoops(imports: readonly Import[]): string[] {
  const edges = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const out = edges.get(i.from) ?? new Map<string, Import>();
    if (!out.has(i.to)) out.set(i.to, i);
    edges.set(i.from, out);
  }
  const reaches = (a: string, b: string) => pathBetween(edges, a, b) !== null;
  const loops: string[] = [];
  const seen = new Set<string>();
  const folders = [...edges.keys()].sort();
  for (const start of folders) {
    if (seen.has(start)) continue;
    const group = folders.filter((f) => reaches(start, f) && reaches(f, start));
    for (const f of group) seen.add(f);
    if (group.length === 0) continue;
    const steps = pathBetween(edges, start, start)!;
    loops.push(
      [
        `${[...steps.map((s) => s.from), start].join(' → ')} (among ${group.join(', ')})`,
        ...steps.map((s) => `  src/${s.file} imports ${s.spec}`),
      ].join('\n'),
    );
  }
  return loops;
}

/** The shortest chain of imports from folder a to folder b (a non-empty one when a === b). */
function pathBetween(
  edges: ReadonlyMap<string, ReadonlyMap<string, Import>>,
  a: string,
  b: string,
): Import[] | null {
  const via = new Map<string, Import>();
  const queue = [a];
  for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
    for (const [next, step] of edges.get(folder) ?? []) {
      if (via.has(next)) continue;
      via.set(next, step);
      if (next === b) {
        const path: Import[] = [];
        for (let at: string = b; path.length === 0 || at !== a; at = via.get(at)!.from)
          path.unshift(via.get(at)!);
        return path;
      }
      queue.push(next);
    }
  }
  return null;
}

describe('folder layers', () => {
  const imports = crossFolderImports();

  it('place every folder under src/ in LAYERS', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const listed = Object.keys(LAYERS).filter((f) => f !== ROOT);
    assert.deepEqual(
      folders.filter((f) => !listed.includes(f)),
      [],
      'folders missing from LAYERS',
    );
    assert.deepEqual(
      listed.filter((f) => !folders.includes(f)),
      [],
      'LAYERS lists folders that do not exist',
    );
  });

  it('let each folder import only the folders below it', () => {
    const allowed = allowedImports();
    const wrong = imports.filter((i) => !allowed.get(i.from)?.has(i.to));
    assert.deepEqual(
      [...new Set(wrong.map((i) => `src/${i.file} imports ${i.spec} (${i.from} → ${i.to})`))],
      [],
    );
  });

  it('form no loop between folders', () => {
    assert.deepEqual(folderLoops(imports), []);
  });
});
