import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHook } from '@testing-library/react';
import { useNow } from './use-now';

afterEach(() => vi.useRealTimers());

describe('useNow', () => {
  it('reads the clock as soon as it is enabled, not one interval later', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    const { result, rerender } = renderHook(({ on }) => useNow(1000, on), { initialProps: { on: false } });
    expect(result.current).toBe(1_000_000);
    // Ten minutes pass while nothing counts down.
    vi.setSystemTime(1_600_000);
    rerender({ on: true });
    expect(result.current).toBe(1_600_000);
  });
});
