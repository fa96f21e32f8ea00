import globals from 'globals';
import type { Linter, Rule } from 'eslint';

/**
 * The ESLint core rules autodev checks in a JavaScript project that configures no linter: code that
 * is broken or dead, never style, as RUFF_DEFAULT_SELECT does for Python. Each one flags code that
 * throws, silently does nothing, or cannot do what it says:
 * - no-undef: a name nothing declares (a typo, a missing import) throws ReferenceError when reached.
 * - no-unused-vars: a binding nothing reads is dead code, often the other half of a typo. Arguments
 *   and caught errors are left out: unused callback parameters are normal JavaScript, not mistakes.
 * - no-dupe-keys, no-dupe-args, no-dupe-class-members, no-duplicate-case: the first one is silently
 *   dead, the later one wins.
 * - no-unreachable: statements after return/throw/break never run.
 * - no-const-assign, no-func-assign, no-class-assign, no-import-assign: throw at run time, or silently
 *   overwrite what the rest of the file calls.
 * - no-self-assign: `x = x` does nothing; almost always a wrong name.
 * - no-redeclare: a second `var`/function of the same name replaces the first.
 * - getter-return: a getter that falls off its end returns undefined.
 * - valid-typeof: `typeof x === 'strnig'` is always false.
 * - use-isnan: `x === NaN` is always false.
 * - no-obj-calls: `Math()`, `JSON()` throw TypeError.
 * - no-unsafe-negation: `!key in obj` negates the key, not the test.
 * Parse errors are always reported. Nothing about layout, naming, quotes, semicolons or complexity: a
 * project that wants those says so in its own ESLint configuration, which autodev then runs instead.
 */
export const DEFAULT_JS_RULES: Linter.RulesRecord = {
  'no-undef': 'warn',
  'no-unused-vars': [
    'warn',
    { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, varsIgnorePattern: '^_' },
  ],
  'no-dupe-keys': 'warn',
  'no-dupe-args': 'warn',
  'no-dupe-class-members': 'warn',
  'no-duplicate-case': 'warn',
  'no-unreachable': 'warn',
  'no-const-assign': 'warn',
  'no-func-assign': 'warn',
  'no-class-assign': 'warn',
  'no-import-assign': 'warn',
  'no-self-assign': 'warn',
  'no-redeclare': 'warn',
  'getter-return': 'warn',
  'valid-typeof': 'warn',
  'use-isnan': 'warn',
  'no-obj-calls': 'warn',
  'no-unsafe-negation': 'warn',
};

export const DEFAULT_JS_TOOL = 'eslint (autodev defaults)';

export type JsSourceType = 'module' | 'commonjs' | 'script';

/**
 * ESLint core does not know that `<Card />` reads the variable `Card`, nor that classic JSX reads
 * `React`: without this, every component import in a React file would be "unused". Marks both as
 * used, as eslint-plugin-react's jsx-uses-vars and jsx-uses-react do.
 */
const jsxUsesVars: Rule.RuleModule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const used = (name: string, node: Rule.Node) => context.sourceCode.markVariableAsUsed(name, node);
    return {
      JSXOpeningElement(node: Rule.Node) {
        used('React', node);
        // The JSX node types are not in ESTree's typings: read the name through a narrow shape.
        const name: unknown = Reflect.get(node, 'name');
        let root: unknown = name;
        while (
          typeof root === 'object' &&
          root !== null &&
          Reflect.get(root, 'type') === 'JSXMemberExpression'
        )
          root = Reflect.get(root, 'object');
        if (typeof root !== 'object' || root === null || Reflect.get(root, 'type') !== 'JSXIdentifier')
          return;
        const id: unknown = Reflect.get(root, 'name');
        // Lower-case names are HTML elements (`<div>`), not variables.
        if (typeof id === 'string' && /^[A-Z_$]/.test(id)) used(id, node);
        else if (typeof id === 'string' && root !== name) used(id, node);
      },
      JSXOpeningFragment(node: Rule.Node) {
        used('React', node);
      },
    };
  },
};

/**
 * The whole configuration for one file: none of the repository's configuration is read (the repo is
 * hostile), and inline `/* eslint-disable *\/` or `/* global *\/` comments are ignored, so a change
 * cannot switch the check off for its own code.
 */
export function defaultJsConfig(sourceType: JsSourceType): Linter.Config[] {
  return [
    {
      files: ['**/*.js', '**/*.cjs', '**/*.mjs', '**/*.jsx'],
      plugins: { autodev: { rules: { 'jsx-uses-vars': jsxUsesVars } } },
      languageOptions: {
        ecmaVersion: 'latest',
        sourceType,
        parserOptions: { ecmaFeatures: { jsx: true } },
        globals: { ...globals.es2024, ...globals.node, ...globals.browser },
      },
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      rules: { ...DEFAULT_JS_RULES, 'autodev/jsx-uses-vars': 'error' },
    },
  ];
}
