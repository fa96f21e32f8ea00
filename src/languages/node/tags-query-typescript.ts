import { JAVASCRIPT_TAGS } from './tags-query-javascript.js';

/** TypeScript (and TSX) tags: JavaScript's, plus the type-level definitions and references. */
export const TYPESCRIPT_TAGS = `${JAVASCRIPT_TAGS}
(abstract_class_declaration name: (_) @name) @definition.class
(interface_declaration name: (_) @name) @definition.interface
(type_alias_declaration name: (_) @name) @definition.type
(enum_declaration name: (_) @name) @definition.enum
(method_signature name: (_) @name) @definition.method
(abstract_method_signature name: (_) @name) @definition.method
(function_signature name: (identifier) @name) @definition.function
(type_identifier) @name @reference
`;
