/**
 * A map that forgets everything at the end of the current event-loop turn, and whenever it would grow past `limit`
 * entries. An evaluation runs in one turn (the rules engine only awaits promises), so what one record repeats is
 * computed once, while nothing read from a record is kept after the request.
 */
export class TurnCache<K, V> {
  private readonly entries = new Map<K, V>();
  private clearing = false;

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.limit) {
      this.entries.clear();
    }
    if (!this.clearing) {
      this.clearing = true;
      setTimeout(() => {
        this.entries.clear();
        this.clearing = false;
      }, 0);
    }
    this.entries.set(key, value);
  }
}
