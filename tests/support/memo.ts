/**
 * make()'s value for a key, computed once per test file (each file has its own module registry);
 * every caller gets its own deep copy, so a test that edits its value cannot leak into another.
 */
const values = new Map<string, unknown>();

export function memoized<T>(key: string, make: () => T): T {
  if (!values.has(key)) values.set(key, make());
  return structuredClone(values.get(key) as T);
}
