import { ReplayCache } from './replay-cache';

describe('ReplayCache', () => {
  it('knows a key until its expiry and forgets it then', () => {
    const cache = new ReplayCache(10);
    expect(cache.remember('a', 100, 0)).toBe('ok');
    expect(cache.remember('a', 100, 99)).toBe('seen');
    expect(cache.remember('a', 200, 100)).toBe('ok');
    expect(cache.size).toBe(1);
  });

  it('refuses new keys when full of live entries, and makes room as entries expire', () => {
    const cache = new ReplayCache(2);
    expect(cache.remember('a', 50, 0)).toBe('ok');
    expect(cache.remember('b', 10, 0)).toBe('ok');
    expect(cache.remember('c', 90, 5)).toBe('full');
    expect(cache.remember('c', 90, 10)).toBe('ok');
    expect(cache.remember('d', 90, 10)).toBe('full');
    expect(cache.remember('a', 90, 20)).toBe('seen');
  });

  it('purges in expiry order whatever the insertion order', () => {
    const cache = new ReplayCache(1000);
    // A deterministic shuffle of expiries 1..500.
    const expiries = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 500) + 1);
    for (const expiry of expiries) {
      expect(cache.remember(`k${expiry}`, expiry, 0)).toBe('ok');
    }
    for (const now of [1, 2, 100, 250, 499]) {
      expect(cache.remember(`k${now + 1}`, now + 1, now)).toBe('seen');
      expect(cache.remember(`k${now}`, now, now)).toBe('ok');
    }
    expect(cache.remember('last', 1000, 500)).toBe('ok');
    expect(cache.size).toBe(1);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new ReplayCache(0)).toThrow(RangeError);
    expect(() => new ReplayCache(1.5)).toThrow(RangeError);
  });
});
