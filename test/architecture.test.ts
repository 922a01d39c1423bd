/**
 * The layers of src/ import downwards only, with no cycles (DESIGN: "the layers import downwards
 * only, with no cycles"): a folder may import from folders listed before it in LAYERS, never from
 * one after it. Checked over the source text of every module, static and dynamic imports alike.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');

/** Lowest first. viz draws matrices and knows no model; models may draw their own pictures. */
const LAYERS = ['util', 'compute', 'audio', 'data', 'features', 'optim', 'viz', 'models', 'pipeline', 'cli', 'web'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

/** Module -> the modules it imports (relative specifiers only; packages are not layers), paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of sourceFiles(SRC)) {
    const text = readFileSync(f, 'utf8');
    const deps = [...text.matchAll(/(?:\bfrom|\bimport\s*\()\s*['"](\.[^'"]+\.ts)['"]/g)].map((m) => relative(SRC, resolve(dirname(f), m[1])));
    graph.set(relative(SRC, f), deps);
  }
  return graph;
}

/** The layer of a path relative to src/: its top folder ('index' for a file directly in src/). */
function layerOf(path: string): string {
  const top = path.split('/')[0];
  return top.endsWith('.ts') ? 'index' : top;
}

function rank(layer: string): number {
  return layer === 'index' ? LAYERS.length : LAYERS.indexOf(layer);
}

function upwardImports(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [f, deps] of graph) for (const d of deps) if (rank(layerOf(d)) > rank(layerOf(f))) out.push(`${f} imports ${d}`);
  return out;
}

/** Each import cycle once, as the chain of modules that closes it. */
function importCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('architecture of src/', () => {
  const graph = importGraph();

  it('every folder has a place in the layer order', () => {
    expect([...new Set([...graph.keys()].map(layerOf))].filter((l) => l !== 'index' && !LAYERS.includes(l))).toEqual([]);
  });

  it('no module imports from a layer above its own', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('no module imports another that imports it back, directly or through others', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('the checks find an upward import and a cycle when there is one', () => {
    const bad = new Map([
      ['models/x.ts', ['pipeline/y.ts']],
      ['pipeline/y.ts', ['models/x.ts']],
    ]);
    expect(upwardImports(bad)).toEqual(['models/x.ts imports pipeline/y.ts']);
    expect(importCycles(bad)).toEqual(['models/x.ts -> pipeline/y.ts -> models/x.ts']);
  });
});
