import { describe, expect, it } from 'vitest';
import { isListChangingEvent } from './container-events';

const ev = (action: string, type = 'container') => ({ hostId: 'local', type, action, id: 'x', attributes: {}, time: 0 });

describe('container events that refresh the list', () => {
  it('refreshes on lifecycle and health changes, not on exec noise or other types', () => {
    expect(isListChangingEvent(ev('start'))).toBe(true);
    expect(isListChangingEvent(ev('health_status: healthy'))).toBe(true);
    expect(isListChangingEvent(ev('exec_start: sh -c true'))).toBe(false);
    expect(isListChangingEvent(ev('create', 'image'))).toBe(false);
  });
});
