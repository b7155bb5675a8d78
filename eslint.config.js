// One ESLint config for the whole repo. The import zones enforce the dependency direction from
// ../shared/style.md §3: a layer imports only the layers to its right, plus src-shared.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';
import { readdirSync } from 'node:fs';

const zone = (target, from, message) => ({ target, from, message });
// Every folder under src-renderer/src/features is a feature, so a new one is fenced in without editing this file.
const FEATURES = readdirSync(new URL('./src-renderer/src/features', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'helper/dist/**', 'helper/native/build/**', 'test-results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    // Without a resolver that knows .ts/.tsx, import-x cannot resolve extensionless imports and the
    // zones below silently never match.
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })] },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            zone('./src-shared', ['./helper', './src-main', './src-renderer'], 'src-shared is a leaf'),
            zone('./helper', ['./src-main', './src-renderer'], 'berthd shares only src-shared with the app'),
            zone('./src-main', ['./helper', './src-renderer'], 'src-main shares only src-shared with berthd and the renderer'),
            zone('./src-renderer', ['./helper', './src-main'], 'the renderer reaches main only through the typed contract'),
            zone('./helper/src/registry', ['./helper/src/store', './helper/src/runtime', './helper/src/engine', './helper/src/api'], 'registry does not import store, runtime, engine or api'),
            zone('./helper/src/store', ['./helper/src/registry', './helper/src/runtime', './helper/src/engine', './helper/src/api'], 'store does not import registry, runtime, engine or api'),
            zone('./helper/src/runtime', ['./helper/src/registry', './helper/src/store', './helper/src/engine', './helper/src/api'], 'runtime does not import registry, store, engine or api'),
            zone('./helper/src/engine', ['./helper/src/api'], 'the engine knows nothing of HTTP'),
            zone('./helper/src/platform', ['./helper/src/registry', './helper/src/store', './helper/src/runtime', './helper/src/engine', './helper/src/api'], 'platform is below everything but lib'),
            zone('./src-main/services', ['./src-main/app', './src-main/ipc', './src-main/web', './src-main/preload'], 'services are shared by Electron and web mode'),
            zone('./src-main/engine-client', ['./src-main/services', './src-main/app', './src-main/ipc', './src-main/web'], 'engine-client sits below services'),
            zone('./src-main/connections', ['./src-main/engine-client', './src-main/services', './src-main/app', './src-main/ipc', './src-main/web', './src-main/provisioning', './src-main/cli'], 'connections sit below engine-client'),
            zone('./src-main/machines', ['./src-main/services', './src-main/app', './src-main/ipc', './src-main/web', './src-main/cli', './src-main/engine-client'], 'machines sit below services, beside provisioning'),
            zone('./src-main/provisioning', ['./src-main/services', './src-main/app', './src-main/ipc', './src-main/web', './src-main/cli', './src-main/engine-client'], 'provisioning sits below services, beside engine-client'),
            // Renderer (bulletproof-react): app -> features -> {components, lib}; features never import each other.
            ...FEATURES.map((f) => ({
              target: `./src-renderer/src/features/${f}`,
              from: './src-renderer/src/features',
              except: [`./${f}`],
              message: 'features never import each other; share through src/components or src/lib',
            })),
            zone('./src-renderer/src/components', ['./src-renderer/src/features', './src-renderer/src/app'], 'shared components know no feature'),
            zone('./src-renderer/src/lib', ['./src-renderer/src/features', './src-renderer/src/app', './src-renderer/src/components'], 'lib is below components and features'),
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**', 'src-main/preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only the Electron glue (src-main/app, src-main/preload) imports electron.' }] }] },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron'], patterns: [{ group: ['node:*'], message: 'The renderer runs in a browser.' }] }],
    },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'bench/**/*.ts', 'test/**/*.ts', 'helper/src/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
