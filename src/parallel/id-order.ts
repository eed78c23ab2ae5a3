/**
 * Flows in order of id (of first packet) although they finish in another order: a flow
 * waits here until every flow made before it has finished. One replay and a sharded one
 * finish flows at different moments but list them in this same order.
 */

/** Passes items on in id order (ids 1, 2, 3 … each once); `end` passes on any left. */
export function idOrder<T extends { readonly id: number }>(emit: (item: T) => void): { push(item: T): void; end(): void; readonly waiting: number } {
  const held = new Map<number, T>();
  let next = 1;
  return {
    push(item: T): void {
      if (item.id !== next) {
        held.set(item.id, item);
        return;
      }
      emit(item);
      next++;
      for (let h = held.get(next); h !== undefined; h = held.get(next)) {
        held.delete(next);
        emit(h);
        next++;
      }
    },
    end(): void {
      const rest = [...held.values()].sort((a, b) => a.id - b.id);
      held.clear();
      for (const r of rest) emit(r);
    },
    get waiting(): number {
      return held.size;
    },
  };
}
