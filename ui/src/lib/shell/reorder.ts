/** `items` with the one at `index` moved `by` places (-1 up, 1 down): what the up/down
 *  buttons of an ordered list (task statuses, custom fields, a field's options) do. */
export function moved<T>(items: readonly T[], index: number, by: number): T[] {
  const copy = [...items];
  const [item] = copy.splice(index, 1);
  copy.splice(index + by, 0, item);
  return copy;
}
