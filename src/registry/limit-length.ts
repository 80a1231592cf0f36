import { _, str, type CodeKeywordDefinition, type KeywordErrorDefinition } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';

/**
 * Ajv's code-point counter, the function its own maxLength calls. A CommonJS module whose function
 * is `exports.default`, which ESM loaders disagree on (Node's default import is the exports
 * object, Vitest's the function): required, it is the same everywhere.
 */
const ucs2length = (createRequire(import.meta.url)('ajv/dist/runtime/ucs2length') as { default: (s: string) => number }).default;

/** Ajv's own messages and params for the two keywords, so error answers do not change. */
const error: KeywordErrorDefinition = {
  message: ({ keyword, schemaCode }) => str`must NOT have ${keyword === 'maxLength' ? 'more' : 'fewer'} than ${schemaCode} characters`,
  params: ({ schemaCode }) => _`{limit: ${schemaCode}}`,
};

/**
 * `maxLength` / `minLength` as Ajv's (JSON Schema counts code points, not UTF-16 units), but the
 * code points are only counted when the string's length leaves the answer open. A string has at
 * least length/2 and at most length code points, so `length <= max` always passes maxLength and
 * `length >= 2 * min` always passes minLength. Ajv counts every time: for the bench's 1 KiB event,
 * whose 900-character description has `maxLength: 5000`, that was 1.3 of Ajv's 2.2 µs per event.
 * Same answers, same errors (test/unit/registry/limit-length.test.ts checks both against Ajv's).
 */
export const limitLength: CodeKeywordDefinition = {
  keyword: ['maxLength', 'minLength'],
  type: 'string',
  schemaType: 'number',
  $data: true,
  error,
  code(cxt) {
    const { keyword, data, schemaCode, gen } = cxt;
    const count = gen.scopeValue('func', { ref: ucs2length, code: _`require("ajv/dist/runtime/ucs2length").default` });
    cxt.fail$data(
      keyword === 'maxLength'
        ? _`${data}.length > ${schemaCode} && ${count}(${data}) > ${schemaCode}`
        : _`${data}.length < 2 * ${schemaCode} && ${count}(${data}) < ${schemaCode}`,
    );
  },
};
