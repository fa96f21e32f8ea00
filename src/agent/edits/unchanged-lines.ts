/** Past this many cells the alignment falls back to the common first and last lines only. */
const MAX_ALIGNMENT_CELLS = 1_000_000;

/**
 * For each line the model wrote in a replacement, the index of the line of its search block it left
 * as it was (same text), or undefined for a line it changed or added: the longest common subsequence
 * of the two blocks. Those lines are what an edit must not rewrite: the file's own bytes stay
 * (trailing whitespace, a blank line's indentation) however the model copied them.
 */
export function unchangedLines(
  search: readonly string[],
  replace: readonly string[],
): (number | undefined)[] {
  const n = search.length;
  const m = replace.length;
  const kept: (number | undefined)[] = new Array<number | undefined>(m).fill(undefined);
  if (n === 0 || m === 0) return kept;
  if (n * m > MAX_ALIGNMENT_CELLS) return prefixAndSuffix(search, replace, kept);
  // lengths[i * (m + 1) + j]: the LCS length of search[i..] and replace[j..].
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lengths[i * width + j] =
        search[i] === replace[j]
          ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (search[i] === replace[j]) {
      kept[j] = i;
      i += 1;
      j += 1;
    } else if ((lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0)) i += 1;
    else j += 1;
  }
  return kept;
}

function prefixAndSuffix(
  search: readonly string[],
  replace: readonly string[],
  kept: (number | undefined)[],
): (number | undefined)[] {
  let head = 0;
  while (head < search.length && head < replace.length && search[head] === replace[head]) {
    kept[head] = head;
    head += 1;
  }
  for (
    let s = search.length - 1, r = replace.length - 1;
    s >= head && r >= head && search[s] === replace[r];
    s -= 1, r -= 1
  ) {
    kept[r] = s;
  }
  return kept;
}
