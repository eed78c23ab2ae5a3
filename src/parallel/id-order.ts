/**
 * Flows in order of id (of first packet) although they finish in another order: a flow
 * waits here until every flow made before it has finished. One replay and a sharded one
 * finish flows at different moments but list them in this same order.
 *
 * Memory stays bounded: when more than `maxWaiting` flows wait for an earlier one that is
 * still live (a long control connection at the start of a capture, or a flood whose early
 * entries survive while later ones are evicted), the lower half of them is passed on in id
 * order and the flows they waited for come out when they finish, after them. Deterministic,
 * and the same as strict id order whenever fewer flows wait.
 */

/** Flows held waiting for an earlier one before the lower half of them is passed on. */
export const MAX_WAITING = 10_000;

/** Passes items on in id order (ids 1, 2, 3 … each once); `end` passes on any left. */
export function idOrder<T extends { readonly id: number }>(emit: (item: T) => void, maxWaiting = MAX_WAITING): { push(item: T): void; end(): void; readonly waiting: number } {
  const held = new Map<number, T>();
  let next = 1;
  const drain = (): void => {
    for (let h = held.get(next); h !== undefined; h = held.get(next)) {
      held.delete(next);
      emit(h);
      next++;
    }
  };
  /** Passes on the lower half of the waiting items in id order; the ids they skipped come later, when they finish. */
  const release = (): void => {
    const ids = [...held.keys()].sort((a, b) => a - b);
    const upTo = ids[Math.floor(ids.length / 2)]!;
    for (const id of ids) {
      if (id > upTo) break;
      emit(held.get(id)!);
      held.delete(id);
    }
    next = upTo + 1;
    drain();
  };
  return {
    push(item: T): void {
      if (item.id < next) {
        emit(item); // its turn was given up while it was live
        return;
      }
      if (item.id !== next) {
        held.set(item.id, item);
        if (held.size > maxWaiting) release();
        return;
      }
      emit(item);
      next++;
      drain();
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
