/**
 * The JSON text a payload travels as inside an envelope. RM's `Data` is text in any format ([C S4]): text that is JSON
 * travels as that JSON, byte for byte, and any other text as a JSON string. JSON text is spliced in, never parsed and
 * re-serialised, which would round integers above 2^53 and change whitespace (the same rule as on receipt).
 */
export function payloadJson(data: string): string {
  try {
    JSON.parse(data);
    return data;
  } catch {
    return JSON.stringify(data);
  }
}

/** `objectJson` (a serialised, non-empty JSON object) with one more member whose value is the JSON text `valueJson`. */
export function withJsonMember(objectJson: string, key: string, valueJson: string): string {
  return `${objectJson.slice(0, -1)},${JSON.stringify(key)}:${valueJson}}`;
}
