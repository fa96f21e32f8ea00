export interface WeightedEdge {
  from: number;
  to: number;
  weight: number;
}

const DAMPING = 0.85;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-9;

/**
 * Personalised PageRank over a weighted directed graph of `size` nodes: a walker follows edges in
 * proportion to their weight and, with probability 1 - DAMPING (or at a node without edges), jumps to a
 * node drawn from `personalization`. Nodes the task points at, and what they lead to, rank high.
 */
export function personalizedPageRank(
  size: number,
  edges: readonly WeightedEdge[],
  personalization: number[],
): number[] {
  if (size === 0) return [];
  const total = personalization.reduce((sum, value) => sum + value, 0);
  const jump =
    total > 0 ? personalization.map((value) => value / total) : new Array<number>(size).fill(1 / size);
  const outWeight = new Array<number>(size).fill(0);
  for (const edge of edges) outWeight[edge.from] = (outWeight[edge.from] ?? 0) + edge.weight;

  let rank = [...jump];
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration += 1) {
    const next = new Array<number>(size).fill(0);
    let dangling = 0;
    for (let node = 0; node < size; node += 1) if ((outWeight[node] ?? 0) === 0) dangling += rank[node] ?? 0;
    for (const edge of edges) {
      const share = ((rank[edge.from] ?? 0) * edge.weight) / (outWeight[edge.from] ?? 1);
      next[edge.to] = (next[edge.to] ?? 0) + DAMPING * share;
    }
    for (let node = 0; node < size; node += 1)
      next[node] = (next[node] ?? 0) + (1 - DAMPING + DAMPING * dangling) * (jump[node] ?? 0);
    const change = next.reduce((sum, value, node) => sum + Math.abs(value - (rank[node] ?? 0)), 0);
    rank = next;
    if (change < TOLERANCE) break;
  }
  return rank;
}
