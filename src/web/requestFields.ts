/** The parsed body of a form or JSON request, or an empty object. */
export function formBody(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

/** A single string field, or undefined when absent, repeated or of another type. */
export function stringField(source: unknown, name: string): string | undefined {
  if (source === null || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' && value.length <= 8192 ? value : undefined;
}
