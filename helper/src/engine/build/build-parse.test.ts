import { describe, expect, it } from 'vitest';
import { BuildArgs } from './build-args';
import { parseDockerfile } from './dockerfile-parse';
import { goDuration, goQuoteSlice, goRune } from './go-format';
import { parseGoDuration, splitWords, toInstruction } from './instructions';
import { envMap, processWord, processWords } from './shell-lex';
import { planStages } from './stages';
import { matchSegment } from './copy-plan';

describe('shell-lex: variable substitution as the classic builder', () => {
  const env = envMap(['A=1', 'EMPTY=', 'SP=a b', 'NAME=world']);
  it.each([
    ['$A', '1'],
    ['${A}x', '1x'],
    ['${MISSING:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${A:+set}', 'set'],
    ['${EMPTY:+set}', ''],
    ['${MISSING+set}', ''],
    ['${MISSING:-${A}}', '1'],
    ["'$A'", '$A'],
    ['"$A $NAME"', '1 world'],
    ['"a\\"b"', 'a"b'],
    ['\\$A', '$A'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['100%', '100%'],
    ['hello $NAME!', 'hello world!'],
  ])('%s -> %s', (word, want) => {
    expect(processWord(word, env)).toBe(want);
  });
  it('escape token `', () => {
    expect(processWord('C:`\\x `$A', env, '`')).toBe('C:\\x $A');
  });
  it('words split on unquoted whitespace, including from variables', () => {
    expect(processWords('80 $SP "c d"', env)).toEqual(['80', 'a', 'b', 'c d']);
  });
  it('bad substitutions are errors', () => {
    expect(() => processWord('${A', env)).toThrow(/missing '}'/);
    expect(() => processWord('${A:=x}', env)).toThrow(/unsupported modifier/);
    expect(() => processWord('${MISSING:?need it}', env)).toThrow(/need it/);
  });
});

describe('dockerfile parsing', () => {
  it('joins continuations, skips comment lines inside them, keeps JSON strings intact', () => {
    const p = parseDockerfile(['# syntax=docker/dockerfile:1', 'FROM busybox', 'RUN echo a \\', '# inner', '  && echo "b c"', 'COPY ["a b", "/c/"]', 'CMD ["sh", "-c", "echo \\"hi there\\""]', ''].join('\n'));
    expect(p.warnings[0]).toMatch(/syntax directive/);
    expect(p.instructions.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['FROM', 'busybox', 2],
      ['RUN', 'echo a   && echo "b c"', 3],
      ['COPY', '["a b", "/c/"]', 6],
      ['CMD', '["sh", "-c", "echo \\"hi there\\""]', 7],
    ]);
    const copy = toInstruction(p.instructions[2]!, p.escape);
    expect(copy).toMatchObject({ kind: 'COPY', sources: ['a b'], dest: '/c/' });
    expect(toInstruction(p.instructions[3]!, p.escape)).toMatchObject({ kind: 'CMD', cmd: { form: 'exec', argv: ['sh', '-c', 'echo "hi there"'] } });
  });
  it('the escape directive changes the continuation character', () => {
    const p = parseDockerfile('# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo ok\n');
    expect(p.escape).toBe('`');
    expect(p.instructions[1]?.args).toBe('dir c:\\   && echo ok');
  });
  it('unknown instructions and bad flags are parse errors with the line', () => {
    expect(() => parseDockerfile('FROM x\nFROB y\n')).toThrow('dockerfile parse error line 2: unknown instruction: FROB');
    const p = parseDockerfile('FROM x\nCOPY --frm=a b c\n');
    expect(() => toInstruction(p.instructions[1]!, '\\')).toThrow(/Unknown flag: frm/);
    const r = parseDockerfile('FROM x\nRUN --mount=type=cache,target=/x true\n');
    expect(() => toInstruction(r.instructions[1]!, '\\')).toThrow(/requires BuildKit/);
  });
  it('ENV/LABEL pairs, legacy form, ARG, HEALTHCHECK, ONBUILD', () => {
    const p = parseDockerfile(['FROM x', 'ENV A=1 B="x y" C=a\\ b', 'ENV OLD value with spaces', 'ARG V=1 W', 'HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/', 'HEALTHCHECK NONE', 'ONBUILD RUN echo hi'].join('\n'));
    const ins = p.instructions.map((i) => toInstruction(i, p.escape));
    expect(ins[1]).toMatchObject({ pairs: [{ key: 'A', value: '1' }, { key: 'B', value: '"x y"' }, { key: 'C', value: 'a\\ b' }] });
    expect(ins[2]).toMatchObject({ pairs: [{ key: 'OLD', value: 'value with spaces' }] });
    expect(ins[3]).toMatchObject({ args: [{ name: 'V', value: '1' }, { name: 'W' }] });
    expect(ins[4]).toMatchObject({ health: { test: ['CMD-SHELL', 'curl -f http://localhost/'], interval: 5e9, retries: 3 } });
    expect(ins[5]).toMatchObject({ health: { none: true } });
    expect(ins[6]).toMatchObject({ trigger: 'RUN echo hi' });
    expect(splitWords('a="x y" b=\'c d\' e=f\\ g', '\\')).toEqual(['a="x y"', "b='c d'", 'e=f\\ g']);
  });
});

describe('stages and --target', () => {
  const df = parseDockerfile(['ARG BASE=busybox', 'FROM $BASE AS deps', 'RUN a', 'FROM busybox AS unused', 'RUN b', 'FROM deps AS build', 'RUN c', 'FROM busybox AS final', 'COPY --from=build /x /x', 'FROM busybox AS after'].join('\n'));
  it('only the stages the target needs are built', () => {
    const plan = planStages(df, 'final', envMap(['BASE=busybox']));
    expect(plan.needed).toEqual([0, 2, 3]);
    expect(plan.target).toBe(3);
    expect(plan.stages).toHaveLength(4);
    expect(plan.metaArgs).toHaveLength(1);
  });
  it('without a target the last stage is built; an unknown target is an error', () => {
    expect(planStages(df, undefined, new Map()).needed).toEqual([4]);
    expect(() => planStages(df, 'nope', new Map())).toThrow('failed to reach build target nope in Dockerfile');
  });
});

describe('build args', () => {
  it('--build-arg needs an ARG; defaults, meta args, predefined proxies, unused warning', () => {
    const a = new BuildArgs(new Map([['V', 'cli'], ['HTTP_PROXY', 'http://p'], ['UNUSED', 'x'], ['M', null]]));
    a.addMeta('M', 'meta');
    a.addArg('V', 'dflt');
    a.addArg('D', 'dflt');
    a.addArg('M', undefined);
    expect(Object.fromEntries(a.allAllowed())).toEqual({ V: 'cli', D: 'dflt', M: 'meta', HTTP_PROXY: 'http://p' });
    expect(a.filterAllowed(['D=from-env']).sort()).toEqual(['HTTP_PROXY=http://p', 'M=meta', 'V=cli']);
    expect(a.isReferencedOrNotBuiltin('HTTP_PROXY')).toBe(false);
    expect(a.isReferencedOrNotBuiltin('V')).toBe(true);
    expect(a.unreferenced()).toEqual(['UNUSED']);
    a.resetStage();
    expect(Object.fromEntries(a.allAllowed())).toEqual({ HTTP_PROXY: 'http://p' });
  });
});

describe('Go renderings in history', () => {
  it('durations, quoted slices and runes', () => {
    expect([0, 5e9, 90e9, 3600e9, 5e8].map(goDuration)).toEqual(['0s', '5s', '1m30s', '1h0m0s', '500ms']);
    expect(parseGoDuration('1m30s')).toBe(90e9);
    expect(() => parseGoDuration('5x')).toThrow(/invalid duration/);
    expect(goQuoteSlice(['CMD', 'echo "x"'])).toBe('["CMD" "echo \\"x\\""]');
    expect([0, 3, 65].map(goRune)).toEqual(["'\\x00'", "'\\x03'", "'A'"]);
  });
  it('wildcard segments as filepath.Match', () => {
    expect(matchSegment('*.txt', 'a.txt')).toBe(true);
    expect(matchSegment('*.txt', 'a.md')).toBe(false);
    expect(matchSegment('file?.[ch]', 'file1.c')).toBe(true);
    expect(matchSegment('[^a]*', 'abc')).toBe(false);
  });
});
