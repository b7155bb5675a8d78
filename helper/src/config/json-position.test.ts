import { describe, expect, it } from 'vitest';
import { locateJsonError } from './json-position';

describe('locateJsonError', () => {
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
  ])('%j fails at offset %d (line %d, column %d)', (text, offset, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toEqual({ position: { offset, line, column }, reason });
  });

  it('walks valid nested values up to the error', () => {
    const text = '{"a": [1, -2.5e3, "x\\u00e9", true, false, null, {"b": {}}, []], "c": x}';
    expect(locateJsonError(text).position.offset).toBe(text.indexOf('x}'));
  });
});
