/** The part after the last `.`, lower-cased (`ns.Add` → `add`). */
export function baseToolName(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 ? name.slice(dot + 1) : name).toLowerCase();
}
