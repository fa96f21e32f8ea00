import type { RankedSymbol } from './rank.js';
import type { RankedFile } from './types.js';

/**
 * Tokens a text will cost, estimated at four characters a token: close enough for English and code
 * with the common tokenizers, and needs no tokenizer for every provider.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The best-ranked definitions that fit the budget, grouped under their files (files in rank order,
 * definitions in line order): a path line, then `line: signature` lines. The count is found by
 * bisection, since the text grows with each definition but not by a fixed amount.
 */
export function renderWithinBudget(
  files: readonly RankedFile[],
  symbols: readonly RankedSymbol[],
  tokenBudget: number,
): { text: string; tokens: number } {
  if (tokenBudget <= 0 || symbols.length === 0) return { text: '', tokens: 0 };
  let low = 0;
  let high = symbols.length;
  let best = { text: '', tokens: 0 };
  while (low <= high) {
    const count = Math.floor((low + high) / 2);
    const text = render(files, symbols.slice(0, count));
    const tokens = estimateTokens(text);
    if (tokens <= tokenBudget) {
      best = { text, tokens };
      low = count + 1;
    } else {
      high = count - 1;
    }
  }
  return best;
}

function render(files: readonly RankedFile[], chosen: readonly RankedSymbol[]): string {
  const byFile = new Map<string, RankedSymbol[]>();
  for (const entry of chosen) {
    const list = byFile.get(entry.path);
    if (list) list.push(entry);
    else byFile.set(entry.path, [entry]);
  }
  const blocks: string[] = [];
  for (const file of files) {
    const entries = byFile.get(file.path);
    if (!entries) continue;
    const lines = [...entries]
      .sort((a, b) => a.symbol.line - b.symbol.line)
      .map((entry) => `  ${entry.symbol.line}: ${entry.symbol.signature}`);
    blocks.push(`${file.path}\n${lines.join('\n')}`);
  }
  return blocks.join('\n');
}
