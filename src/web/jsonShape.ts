/** How deep JSON may nest anywhere the bot accepts it: an activity with its card data fits easily. */
export const MAX_JSON_DEPTH = 32;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it, so
 * that a hostile body is measured before anything recursive (parsing, copying, logging,
 * `JSON.stringify` on the way out) ever sees it. Stops counting once past `limit`.
 */
export function jsonNestingDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i++; // backslash: the next character is escaped
      else if (code === 0x22) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Depth and size of a value already parsed (a card's data, say), measured without recursion.
 * `size` is the length of its JSON text, counted up to just past `maxSize`.
 */
export function measureValue(value: unknown, maxSize: number): { depth: number; size: number } {
  let deepest = 0;
  let size = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0 && size <= maxSize && deepest <= MAX_JSON_DEPTH) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') {
      size += scalarSize(item);
      continue;
    }
    deepest = Math.max(deepest, depth);
    const entries = Array.isArray(item) ? item.map((element) => ['', element] as const) : Object.entries(item);
    size += 2 + Math.max(0, entries.length - 1);
    for (const [key, element] of entries) {
      if (!Array.isArray(item)) size += key.length + 3;
      pending.push([element, depth + 1]);
    }
  }
  return { depth: deepest, size };
}

function scalarSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  return 4; // null, and what JSON would drop or write as null
}

/** Whether a parsed value keeps within the limits the bot holds card data and activity values to. */
export function withinValueLimits(value: unknown, maxSize: number): boolean {
  const { depth, size } = measureValue(value, maxSize);
  return depth <= MAX_JSON_DEPTH && size <= maxSize;
}
