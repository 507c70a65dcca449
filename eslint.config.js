import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test-output/', 'migrations/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // TypeScript (vue-tsc) checks undefined names in <script lang="ts">, as typescript-eslint does for .ts files.
    rules: { 'no-undef': 'off' },
  },
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      // Layout is prettier's: where it must wrap an element whose text is whitespace-sensitive it writes `>text</x\n>`,
      // which these three layout rules of the vue plugin report (eslint-config-prettier turns them off the same way).
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-indent': 'off',
    },
  },
  {
    // Storage stays behind the data layer (server/db/): no driver handle, no SQLite-only query methods elsewhere.
    files: ['server/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['server/db/**', 'scripts/backup.ts', 'scripts/pg-cluster.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: '$client', message: 'The driver belongs to server/db/: use the Database (db.tx, db.rows).' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[arguments.length=0][callee.property.name=/^(all|run)$/]',
          message:
            'SQLite-only query method: await the query builder (and use .returning()) so it runs on both backends.',
        },
        {
          selector:
            "CallExpression[arguments.length=0][callee.property.name='get'][callee.object.type='CallExpression']",
          message: 'SQLite-only query method: await the query builder with .limit(1) so it runs on both backends.',
        },
      ],
    },
  },
);
