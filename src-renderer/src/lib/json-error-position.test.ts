import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn } from './json-error-position';

describe('jsonErrorOffset', () => {
  it('accepts valid JSON', () => {
    for (const ok of ['{}', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '[]', '"s"', '0']) expect(jsonErrorOffset(ok)).toBeNull();
  });

  it('points at the first bad character', () => {
    expect(jsonErrorOffset('{"a": [1,]}')).toBe(9);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset("{'a': 1}")).toBe(1);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('{"a": "open')).toBe(11);
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonErrorOffset('')).toBe(0);
  });

  it('converts offsets to line and column', () => {
    const text = '{\n  "a": [\n    1,\n  ]\n}';
    expect(lineColumn(text, jsonErrorOffset(text) ?? -1)).toEqual({ line: 4, column: 3 });
  });
});
