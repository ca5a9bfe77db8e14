interface HeapEntry {
  readonly key: string;
  readonly expiresAt: number;
}

/**
 * Remembers the `jti` of every accepted token until the token could no longer be accepted anyway
 * (CDS Hooks 2.0: `jti` is "a nonce … used to prevent replay attacks"; best practice S7). Bounded: when it
 * is full and nothing has expired, `remember` refuses (fail closed) instead of forgetting a live token.
 */
export class ReplayCache {
  /** Key → the time (seconds since epoch) from which the entry may be forgotten. */
  private readonly expiries = new Map<string, number>();
  /** Min-heap on `expiresAt`, so expired entries are found without scanning the whole map. */
  private readonly heap: HeapEntry[] = [];

  /**
   * @param capacity - the most entries kept at once
   */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('replay cache capacity must be a positive integer');
    }
  }

  get size(): number {
    return this.expiries.size;
  }

  /**
   * Records a key unless it is already known.
   * @param key - identifies the token (issuer and jti)
   * @param expiresAt - seconds since epoch from which the key may be forgotten
   * @param now - the current time in seconds since epoch
   * @returns 'ok' when recorded, 'seen' for a replay, 'full' when there is no room
   */
  remember(key: string, expiresAt: number, now: number): 'ok' | 'seen' | 'full' {
    this.purge(now);
    if (this.expiries.has(key)) {
      return 'seen';
    }
    if (this.expiries.size >= this.capacity) {
      return 'full';
    }
    this.expiries.set(key, expiresAt);
    this.push({ key, expiresAt });
    return 'ok';
  }

  /** Forgets every entry whose time has come. */
  private purge(now: number): void {
    for (let top = this.heap[0]; top !== undefined && top.expiresAt <= now; top = this.heap[0]) {
      this.pop();
      if (this.expiries.get(top.key) === top.expiresAt) {
        this.expiries.delete(top.key);
      }
    }
  }

  private push(entry: HeapEntry): void {
    const heap = this.heap;
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent === undefined || parent.expiresAt <= entry.expiresAt) {
        break;
      }
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = entry;
  }

  /** Removes the root of the heap. */
  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) {
      return;
    }
    let index = 0;
    for (;;) {
      let smallest: { index: number; entry: HeapEntry } | undefined;
      for (const childIndex of [2 * index + 1, 2 * index + 2]) {
        const child = heap[childIndex];
        if (child !== undefined && child.expiresAt < (smallest?.entry.expiresAt ?? last.expiresAt)) {
          smallest = { index: childIndex, entry: child };
        }
      }
      if (smallest === undefined) {
        break;
      }
      heap[index] = smallest.entry;
      index = smallest.index;
    }
    heap[index] = last;
  }
}
