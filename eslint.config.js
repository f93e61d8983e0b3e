// ESLint flat config: typed rules that catch real bugs, plus DESIGN.md's dependency rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const services = ['booking', 'scheduler', 'gateway'];

/** Services talk over the network: they import only the kit, never each other or chaos/. */
const serviceBoundaries = services.map((name) => ({
  files: [`services/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: services.filter((s) => s !== name).map((s) => `@faultline/${s}`),
            message: 'Services never import each other; they talk over the network.',
          },
          {
            group: ['@faultline/chaos', '@faultline/chaos/*'],
            message: 'Services never import chaos/.',
          },
          {
            group: ['../../*', '../../../*'],
            message: 'Import other packages by name (@faultline/kit/...), not by path.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.toolchain/**',
      '.state/**',
      'bench/results/**',
      '.venv-fuzz/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      'no-undef': 'off', // TypeScript checks this, and knows Node's globals
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'No `export *`: export names explicitly.' },
      ],
      // The kit and every service import nothing that is a service.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: services.map((s) => `@faultline/${s}`),
              message: 'Nothing imports a service.',
            },
          ],
        },
      ],
    },
  },
  ...serviceBoundaries,
  {
    // Tests, scripts, benchmarks and CLIs talk to people: console is their output.
    files: [
      '**/*.test.ts',
      '**/test/**/*.ts',
      'bench/**',
      'scripts/**',
      '**/cli/**',
      '**/*.mjs',
      '**/*.js',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
