import { describe, expect, it } from 'vitest';
import { isAllowedExternal, isOwnPage, secureWebPreferences } from './window-policy';

describe('window policy', () => {
  it('sandboxes the renderer with context isolation and no Node', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false, webSecurity: true });
  });

  it('lets the window navigate only within the app page', () => {
    const app = 'file:///opt/berth/out/renderer/index.html';
    expect(isOwnPage('file:///opt/berth/out/renderer/index.html#/images', app)).toBe(true);
    expect(isOwnPage('file:///etc/passwd', app)).toBe(false);
    expect(isOwnPage('https://evil.example/', app)).toBe(false);
    expect(isOwnPage('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true);
    expect(isOwnPage('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isOwnPage('not a url', app)).toBe(false);
  });

  it.each([
    ['http://127.0.0.1:8080/', true],
    ['http://localhost:3000/app', true],
    ['https://[::1]:8443/', true],
    ['http://0.0.0.0:8080', true],
    ['http://127.0.0.1/', false],
    ['http://user:pw@127.0.0.1:8080/', false],
    ['https://evil.example:443/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://127.0.0.1:445/share', false],
    ['http://127.0.0.1.evil.example:80/', false],
    ['', false],
  ])('opens %s in the system browser: %s', (url, allowed) => {
    expect(isAllowedExternal(url)).toBe(allowed);
  });
});
