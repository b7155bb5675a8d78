import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';

export interface XtermHandle {
  term: Terminal;
  search: SearchAddon;
  /** Fits to the element; returns the new size, or null while the element is hidden (0×0). */
  fit: () => { cols: number; rows: number } | null;
  dispose: () => void;
}

/**
 * Ctrl+V and Ctrl+Shift+V paste, as in Docker Desktop's terminal. xterm.js would turn Ctrl+V into
 * the ^V control byte; returning false leaves the key to the browser, whose native paste event on
 * xterm's textarea xterm then sends as a (bracketed) paste. Returns false to mean "not for xterm".
 */
export function isPasteShortcut(e: KeyboardEvent): boolean {
  const paste = e.type === 'keydown' && e.ctrlKey && !e.altKey && !e.metaKey && (e.key === 'v' || e.key === 'V' || e.code === 'KeyV');
  return !paste;
}

/**
 * One xterm.js terminal with the fit and search addons, opened in `element`. Fitting a hidden
 * element would shrink the terminal to nothing and reflow its buffer, so `fit` skips it.
 */
export function createXterm(element: HTMLElement, font: { family?: string; size?: number } = {}): XtermHandle {
  const term = new Terminal({
    cursorBlink: true,
    scrollback: 5000,
    fontFamily: font.family ?? "ui-monospace, 'DejaVu Sans Mono', monospace",
    fontSize: font.size ?? 13,
    allowProposedApi: true,
    theme: { background: '#000000' },
  });
  const fitAddon = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fitAddon);
  term.loadAddon(search);
  term.attachCustomKeyEventHandler(isPasteShortcut);
  term.open(element);
  return {
    term,
    search,
    fit: () => {
      if (element.clientWidth === 0 || element.clientHeight === 0) return null;
      const dims = fitAddon.proposeDimensions();
      if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows) || dims.cols < 2 || dims.rows < 1) return null;
      if (dims.cols !== term.cols || dims.rows !== term.rows) term.resize(dims.cols, dims.rows);
      return { cols: term.cols, rows: term.rows };
    },
    dispose: () => term.dispose(),
  };
}
