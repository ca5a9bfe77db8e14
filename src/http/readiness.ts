/**
 * Readiness of this process, for `GET /readyz` and for refusing hook calls that cannot be answered yet:
 * `starting` until the rules and value sets are loaded, `ready`, then `stopping` once shutdown begins.
 */
export type ReadinessState = 'starting' | 'ready' | 'stopping';

export class Readiness {
  private current: ReadinessState = 'starting';
  private detail: Record<string, unknown> = {};

  get state(): ReadinessState {
    return this.current;
  }

  /** What was loaded (ruleset version, counts), shown by /readyz. */
  get info(): Readonly<Record<string, unknown>> {
    return this.detail;
  }

  /** @param info - facts about the loaded knowledge, shown by /readyz */
  markReady(info: Record<string, unknown> = {}): void {
    if (this.current === 'starting') {
      this.current = 'ready';
      this.detail = info;
    }
  }

  markStopping(): void {
    this.current = 'stopping';
  }
}
