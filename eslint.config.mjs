// ESLint 9 flat config: eslint's and typescript-eslint's recommended rules with type information,
// tuned to the code as written. Formatting is Prettier's job (.prettierrc.json); no rule here
// concerns layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', '.sift/', 'bench/results/', 'src/server/web/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The plain-JavaScript entry points (bin, the test runner, this file) are linted without a tsconfig of their own.
        projectService: { allowDefaultProject: ['*.mjs', 'bin/*.js', 'tools/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Node's test runner: `test(...)` and `describe(...)` return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // Anything that may do I/O or inference is async, even when one implementation has nothing to
      // await (STYLE.md: no `T | Promise<T>`); a contract method stays `async` in every implementation.
      '@typescript-eslint/require-await': 'off',
      // Unused arguments are allowed when they start with `_` (positional callbacks).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read the JSON the CLI prints and the server answers (`JSON.parse`, `res.json()`: `any`) and
    // assert on its fields; typing every body would restate the documented shapes the assertions check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Plain JavaScript run by Node directly.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
