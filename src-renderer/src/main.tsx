import './lib/zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './app/styles.css';
import { App } from './app/app';
import { createDefaultBridge } from './lib/berth';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App bridge={createDefaultBridge()} />
    </StrictMode>,
  );
}
