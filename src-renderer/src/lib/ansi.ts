import Anser from 'anser';

/** One run of text with the SGR style in force (colour names are the 16 ANSI ones; see styles.css). */
export interface AnsiSpan {
  text: string;
  /** `ansi-red`, `ansi-bright-blue`, ... (anser class names) or `rgb(…)` for 256/true colour. */
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}

// What anser does not remove: OSC strings (window titles, hyperlinks: ESC ] … BEL/ST), single
// ESC-char controls (ESC 7, ESC =, …) and carriage returns a TTY program uses to redraw.
// eslint-disable-next-line no-control-regex -- matching terminal control sequences is the point
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// eslint-disable-next-line no-control-regex -- matching terminal control sequences is the point
const ESC_SINGLE = /\u001b[@-Z\\^_=>78]/g;
// eslint-disable-next-line no-control-regex -- matching terminal control characters is the point
const OTHER_CONTROLS = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g;
const HAS_OTHER_CONTROLS = new RegExp(OTHER_CONTROLS.source);

/**
 * A log line from a TTY container as a person should see it (as Docker Desktop shows it): SGR
 * colours and bold kept as spans, every other control sequence (cursor queries like ESC[6n,
 * erase ESC[J, cursor moves, titles) removed. `plain` is the visible text, for search.
 */
export function parseAnsi(line: string): { plain: string; spans: AnsiSpan[] } {
  if (!line.includes('\u001b') && !line.includes('\r') && !HAS_OTHER_CONTROLS.test(line)) return { plain: line, spans: [{ text: line }] };
  // After a bare CR the terminal overwrote the line: keep what was written last.
  const afterCr = line.includes('\r') ? (line.split('\r').filter((p) => p !== '').pop() ?? '') : line;
  const cleaned = afterCr.replace(OSC, '').replace(ESC_SINGLE, '');
  const spans: AnsiSpan[] = [];
  for (const t of Anser.ansiToJson(cleaned, { use_classes: true, remove_empty: true })) {
    const text = t.content.replace(OTHER_CONTROLS, '');
    if (text === '') continue;
    const deco = t.decorations ?? [];
    const color = (c: string | null): string | undefined => (c ? (c.startsWith('ansi-') ? c : `rgb(${c})`) : undefined);
    const span: AnsiSpan = { text };
    const fg = color(t.fg);
    const bg = color(t.bg);
    if (fg) span.fg = fg;
    if (bg) span.bg = bg;
    if (deco.includes('bold')) span.bold = true;
    if (deco.includes('dim')) span.dim = true;
    if (deco.includes('italic')) span.italic = true;
    if (deco.includes('underline')) span.underline = true;
    spans.push(span);
  }
  return { plain: spans.map((s) => s.text).join(''), spans };
}
