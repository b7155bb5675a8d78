import { describe, expect, it } from 'vitest';
import { findJsonError, jsonPosition } from './json-error-position';

describe('findJsonError', () => {
  it('accepts valid JSON', () => {
    for (const ok of ['{}', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '[]', '"s"', '0']) expect(findJsonError(ok)).toBeNull();
  });

  it.each([
    ['{"a": }', 6, 1, 7, 'unexpected "}": expected a value'],
    ['{"a": 1,\n "b": [1,2,}', 20, 2, 12, 'unexpected "}": expected a value'],
    ['{"a"', 4, 1, 5, "unexpected end of input: expected ':' after the property name"],
    ['', 0, 1, 1, 'unexpected end of input: expected a value'],
    ['{"a":1} x', 8, 1, 9, 'unexpected content after the JSON value'],
    ["{'a': 1}", 1, 1, 2, 'unexpected "\'": expected a property name in double quotes'],
    ['{"a": "x\ny"}', 8, 1, 9, 'control character in string (use \\n, \\t…)'],
    ['{"a": 01}', 7, 1, 8, "unexpected \"1\": expected ',' or '}'"],
    ['{\r\n"a": tru}', 8, 2, 6, 'unexpected "t": expected a value'],
    ['{"a": "\\x"}', 7, 1, 8, 'invalid escape in string'],
    ['{"a": [1,]}', 9, 1, 10, 'trailing comma before "]"'],
    ['{"a": 1,}', 8, 1, 9, 'trailing comma before "}"'],
    ['{"a" 1}', 5, 1, 6, "unexpected \"1\": expected ':' after the property name"],
    ['{"a": "open', 11, 1, 12, 'unterminated string'],
  ])('%j fails at offset %d (line %d, column %d)', (text, offset, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonError(text)).toEqual({ position: { offset, line, column }, reason });
  });

  it('walks valid nested values up to the error', () => {
    const text = '{"a": [1, -2.5e3, "x\\u00e9", true, false, null, {"b": {}}, []], "c": x}';
    expect(findJsonError(text)?.position.offset).toBe(text.indexOf('x}'));
  });

  it('counts lines across a multi-line text', () => {
    expect(findJsonError('{\n  "a": [\n    1,\n  ]\n}')?.position).toEqual({ offset: 20, line: 4, column: 3 });
  });
});

describe('jsonPosition', () => {
  it('converts a 0-based offset to 1-based line and column', () => {
    expect(jsonPosition('ab\ncd', 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(jsonPosition('ab\ncd', 4)).toEqual({ offset: 4, line: 2, column: 2 });
  });
});
