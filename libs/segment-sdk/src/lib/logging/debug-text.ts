/** DATADEBUG detail longer than this is cut: one runaway dump must not bloat every log batch. */
export const MAX_DEBUG_LENGTH = 32_000;

/** Renders a logger's `debug` argument: an Error as its stack, a string as is, anything else as JSON. */
export function debugText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  if (value instanceof Error) text = value.stack ?? `${value.name}: ${value.message}`;
  else if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      // Cycles or BigInt: still say something rather than lose the line.
      text = String(value);
    }
  }
  return text.length > MAX_DEBUG_LENGTH ? text.slice(0, MAX_DEBUG_LENGTH) : text;
}
