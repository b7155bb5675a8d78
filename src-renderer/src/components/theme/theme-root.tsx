import { useEffect, useState, type ReactNode } from 'react';
import { useSettings } from '../../lib/settings';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY).matches : true;
}

/** 'light' | 'dark' actually in force: the setting, or the OS preference (live) under 'system'. */
export function useResolvedTheme(): 'light' | 'dark' {
  const { settings } = useSettings();
  const [systemDark, setSystemDark] = useState(systemPrefersDark);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia(DARK_QUERY);
    const onChange = (): void => setSystemDark(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  if (settings.theme === 'system') return systemDark ? 'dark' : 'light';
  return settings.theme;
}

/** Puts the resolved theme on <html data-theme>, where the tokens in tokens.css pick it up. */
export function ThemeRoot({ children }: { children: ReactNode }): ReactNode {
  const theme = useResolvedTheme();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return children;
}
