import tseslint from 'typescript-eslint';

const boundary = (from, forbidden) => ({
  files: [`services/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((name) => ({ group: [`@genuine/${name}`, `@genuine/${name}/*`, `**/${name}/src/**`], message: `services/${from} must not import ${name} (DESIGN → Ownership rules)` })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.genuine/**', 'coverage/**', '**/migrations/*.ts', 'bench/results/**', 'jest.config.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through loadConfig() in services/kit (STYLE 9).' }],
    },
  },
  { files: ['scripts/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', '**/*.test.ts', 'jest.config.js'], rules: { 'no-restricted-properties': 'off' } },
  boundary('kit', ['registry', 'audit', 'gateway']),
  boundary('registry', ['audit', 'gateway']),
  boundary('audit', ['registry', 'gateway']),
  boundary('gateway', ['registry', 'audit']),
);
