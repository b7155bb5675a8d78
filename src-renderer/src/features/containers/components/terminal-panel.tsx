import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { StreamHandle } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { createXterm, type XtermHandle } from '../../../lib/xterm';
import { useSettings } from '../../../lib/settings';
import { INITIAL_TERMINAL_STATE, onTerminalEnd, onTerminalStatus, terminalBanner, toHostLink, type TerminalStateView } from '../model/terminal-status';
import { useHostStatus } from '../../../lib/host-status';
import { useNow } from '../../../lib/use-now';

/**
 * A terminal in the container. The xterm instance lives as long as this component: the details
 * view keeps it mounted (hidden) across tab switches, so the scrollback survives. Keystrokes,
 * pastes and Ctrl-C are just bytes from xterm's onData; fit-to-window resizes are forwarded.
 * When the container stops, main keeps the session and reattaches when it runs again; the banner
 * says which phase we are in.
 */
export function TerminalPanel({ hostId, containerId, visible, running = true }: { hostId: string; containerId: string; visible: boolean; running?: boolean }): ReactNode {
  const bridge = useBridge();
  const hostRef = useRef<HTMLDivElement>(null);
  const xtermRef = useRef<XtermHandle | null>(null);
  const streamRef = useRef<StreamHandle<'terminal:open'> | null>(null);
  const [state, setState] = useState<TerminalStateView>(INITIAL_TERMINAL_STATE);
  const [generation, setGeneration] = useState(0);
  const [query, setQuery] = useState('');
  const [pasteError, setPasteError] = useState<string | null>(null);
  // The person's terminal font (Settings): applied to a live terminal too, and refitted.
  const { settings } = useSettings();
  const fontRef = useRef({ family: settings.terminalFontFamily, size: settings.terminalFontSize });
  fontRef.current = { family: settings.terminalFontFamily, size: settings.terminalFontSize };
  useEffect(() => {
    const x = xtermRef.current;
    if (!x) return;
    x.term.options.fontFamily = settings.terminalFontFamily;
    x.term.options.fontSize = settings.terminalFontSize;
    x.fit();
  }, [settings.terminalFontFamily, settings.terminalFontSize]);

  useEffect(() => {
    const element = hostRef.current;
    if (!element) return;
    const x = createXterm(element, { family: fontRef.current.family, size: fontRef.current.size });
    xtermRef.current = x;
    const onData = x.term.onData((data) => streamRef.current?.write({ t: 'data', data }));
    const onResize = x.term.onResize(({ cols, rows }) => streamRef.current?.write({ t: 'resize', cols, rows }));
    const observer = new ResizeObserver(() => x.fit());
    observer.observe(element);
    return () => {
      observer.disconnect();
      onData.dispose();
      onResize.dispose();
      x.dispose();
      xtermRef.current = null;
    };
  }, []);

  useEffect(() => {
    const x = xtermRef.current;
    if (!x) return;
    const size = x.fit() ?? { cols: x.term.cols, rows: x.term.rows };
    setState(INITIAL_TERMINAL_STATE);
    let ended = false;
    const handle = bridge.open(
      'terminal:open',
      { hostId, containerId, mode: 'auto', cols: size.cols, rows: size.rows },
      {
        onEvent: (event) => {
          if (event.t === 'data') {
            x.term.write(event.data);
            return;
          }
          setState(onTerminalStatus(event));
          // A (re)attached process starts with whatever size it had: tell it ours.
          if (event.status === 'attached' || event.status === 'reconnected') handle.write({ t: 'resize', cols: x.term.cols, rows: x.term.rows });
        },
        onEnd: (error) => {
          ended = true;
          streamRef.current = null;
          setState((prev) => onTerminalEnd(prev, error));
        },
      },
    );
    streamRef.current = handle;
    return () => {
      streamRef.current = null;
      if (!ended) handle.close();
    };
  }, [bridge, hostId, containerId, generation]);

  useEffect(() => {
    if (!visible) return;
    xtermRef.current?.fit();
    // After the frame: the tab strip switches on mousedown, and the browser then focuses the
    // clicked tab; focusing now would be undone, and typing would go to the tab, not the shell.
    const frame = requestAnimationFrame(() => xtermRef.current?.term.focus());
    return () => cancelAnimationFrame(frame);
  }, [visible]);

  useEffect(() => {
    if (state.status !== 'reconnected') return;
    const timer = setTimeout(() => setState((s) => (s.status === 'reconnected' ? { ...s, banner: null } : s)), 4000);
    return () => clearTimeout(timer);
  }, [state.status]);

  const paste = async (): Promise<void> => {
    setPasteError(null);
    try {
      const text = await navigator.clipboard.readText();
      xtermRef.current?.term.paste(text);
      xtermRef.current?.term.focus();
    } catch {
      setPasteError('The browser did not allow reading the clipboard: use Ctrl+Shift+V or the context menu in the terminal.');
    }
  };
  const find = (backwards: boolean): void => {
    const x = xtermRef.current;
    if (!x || query === '') return;
    if (backwards) x.search.findPrevious(query);
    else x.search.findNext(query);
  };

  const hostStatus = useHostStatus(hostId);
  const now = useNow(1000, hostStatus?.state === 'reconnecting');
  const banner = terminalBanner(state, running, toHostLink(hostStatus, now));
  return (
    <div className="terminal-panel" data-testid="terminal-panel" data-terminal-status={state.status} data-terminal-reason={state.reason}>
      <div className="toolbar">
        <span className="hint" data-testid="terminal-mode">
          {state.modeLabel}
        </span>
        <div className="spacer" />
        <button type="button" className="small" onClick={() => void paste()}>
          Paste
        </button>
        <input
          aria-label="Search terminal"
          placeholder="Search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') find(e.shiftKey);
          }}
        />
        <button type="button" className="small" onClick={() => find(true)} aria-label="Previous match">
          ↑
        </button>
        <button type="button" className="small" onClick={() => find(false)} aria-label="Next match">
          ↓
        </button>
        <button type="button" className="small" onClick={() => xtermRef.current?.term.clear()}>
          Clear
        </button>
      </div>
      {banner ? (
        <div className={`terminal-status banner-${banner.tone}`} role="status" data-testid="terminal-status">
          {banner.text}
          {banner.canReconnect ? (
            <>
              {' '}
              <button type="button" className="small" onClick={() => setGeneration((g) => g + 1)}>
                Reconnect
              </button>
            </>
          ) : null}
        </div>
      ) : null}
      {pasteError ? <div className="inline-error">{pasteError}</div> : null}
      <div className="terminal-host" ref={hostRef} data-testid="terminal" />
    </div>
  );
}
