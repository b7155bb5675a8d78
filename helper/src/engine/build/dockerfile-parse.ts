import { DockerfileParser } from 'dockerfile-ast';
import { invalidArgument } from '../../lib/errors';

/** One Dockerfile instruction as written: keyword, its logical argument text and where it is. */
export interface RawInstruction {
  /** Upper-cased keyword (`RUN`). */
  keyword: string;
  /** The arguments with line continuations joined and comment lines inside them dropped. */
  args: string;
  /** The instruction as the builder prints it (`Step 2/5 : RUN make`): keyword as typed, then `args`. */
  original: string;
  /** 1-based first and last source lines. */
  line: number;
  endLine: number;
}

export interface ParsedDockerfile {
  /** The escape token (`\` unless `# escape=` says otherwise). */
  escape: string;
  instructions: RawInstruction[];
  /** Things the classic builder warns about (an ignored `# syntax=`, empty continuation lines). */
  warnings: string[];
}

const KNOWN = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/**
 * Splits a Dockerfile into instructions with dockerfile-ast (directives, the escape token,
 * continuations, comments and line positions), then joins each instruction's continuation lines as
 * moby's parser does (the escape token and trailing blanks removed, the next line appended as is;
 * comment and blank lines inside an instruction skipped). dockerfile-ast's own argument tokens are
 * editor-oriented (its JSON values drop spaces inside strings), so argument words are computed by
 * the builder from `args`.
 */
export function parseDockerfile(text: string): ParsedDockerfile {
  const src = text.replace(/^\uFEFF/, '');
  const doc = DockerfileParser.parse(src);
  const warnings: string[] = [];
  let escape = '\\';
  for (const d of doc.getDirectives()) {
    const name = d.getName().toLowerCase();
    const value = d.getValue();
    if (name === 'escape') {
      if (value !== '\\' && value !== '`') throw invalidArgument('DOCKERFILE_PARSE', `invalid escape token '${value}' does not match ` + '`' + ' or \\');
      escape = value;
    } else if (name === 'syntax') {
      warnings.push(`the syntax directive (${value}) is ignored by the classic builder`);
    }
  }
  const lines = src.split('\n').map((l) => l.replace(/\r$/, ''));
  const contRe = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const out: RawInstruction[] = [];
  for (const ins of doc.getInstructions()) {
    const range = ins.getRange();
    const first = range.start.line;
    const last = range.end.line;
    const keywordText = ins.getInstruction();
    const keyword = keywordText.toUpperCase();
    if (!KNOWN.has(keyword)) throw invalidArgument('DOCKERFILE_PARSE', `dockerfile parse error line ${first + 1}: unknown instruction: ${keyword}`);
    let joined = '';
    for (let i = first; i <= last; i++) {
      let l = lines[i] ?? '';
      if (i === first) l = l.slice(range.start.character + keywordText.length);
      else if (/^\s*#/.test(l)) continue;
      else if (/^\s*$/.test(l)) {
        warnings.push(`empty continuation line found in: ${keywordText}${joined}`);
        continue;
      }
      if (i < last) {
        if (contRe.test(l)) l = l.replace(contRe, '');
      }
      joined += l;
    }
    const args = joined.trim();
    out.push({ keyword, args, original: args === '' ? keywordText : `${keywordText} ${args}`, line: first + 1, endLine: last + 1 });
  }
  return { escape, instructions: out, warnings };
}
