/** Any value JSON can carry; the type of business payloads handed to the envelope builders. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
