import { describe, expect, it } from 'vitest';
import { entryProblems, move, parseDraft, serverProblems, withMirrors } from './mirrors-draft';

describe('mirrors draft', () => {
  it('reads the list from the JSON and writes it back, keeping other keys', () => {
    const raw = '{\n  "log-level": "info",\n  "registry-mirrors": ["http://a:5000"]\n}\n';
    expect(parseDraft(raw)).toEqual({ ok: true, mirrors: ['http://a:5000'], mirrorsProblem: null });
    const next = withMirrors(raw, ['http://b:5000', 'http://a:5000']);
    expect(JSON.parse(next)).toEqual({ 'log-level': 'info', 'registry-mirrors': ['http://b:5000', 'http://a:5000'] });
    expect(Object.keys(JSON.parse(withMirrors('{}', ['http://x'])))).toEqual(['registry-mirrors']);
    expect(JSON.parse(withMirrors(raw, []))).toEqual({ 'log-level': 'info' });
    expect(parseDraft('')).toMatchObject({ ok: true, mirrors: [] });
  });

  it('locates JSON syntax errors', () => {
    const p = parseDraft('{\n  "registry-mirrors": [\n    "http://a",\n  ]\n}');
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.message).toMatch(/^Invalid JSON/);
      expect(p.line).toBe(4);
    }
    expect(parseDraft('[]')).toMatchObject({ ok: false });
    expect(parseDraft('{"registry-mirrors": "http://a"}')).toMatchObject({ ok: true, mirrorsProblem: expect.stringContaining('list') });
  });

  it('checks each entry like berthd', () => {
    expect(entryProblems(['http://127.0.0.1:5000', 'ftp://x', 'http://h/path', '', 'http://127.0.0.1:5000/'])).toEqual([
      null,
      expect.stringContaining('http or https'),
      expect.stringContaining('remove the path'),
      expect.stringContaining('Enter a mirror URL'),
      'Duplicate of mirror 1.',
    ]);
  });

  it('moves entries', () => {
    expect(move(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(move(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });

  it('ties server errors to entries', () => {
    const s = serverProblems({ valid: false, message: 'bad mirror', key: 'registry-mirrors[1]', entryErrors: [], warnings: [] });
    expect(s.byIndex.get(1)).toBe('bad mirror');
    expect(s.general).toBeNull();
    const j = serverProblems({ valid: false, message: 'Unexpected token', position: { offset: 3, line: 1, column: 4 }, entryErrors: [], warnings: [] });
    expect(j.general).toBe('Line 1, column 4: Unexpected token');
    expect(serverProblems({ valid: true, entryErrors: [], warnings: [] }).general).toBeNull();
  });
});
