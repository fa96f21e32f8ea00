/**
 * JavaScript tags, shared by TypeScript (see typescript.ts); see python.ts for the conventions. CommonJS
 * libraries define most functions by assignment (`exports.parse = function`, `proto.send = ...`).
 */
export const JAVASCRIPT_TAGS = `
(method_definition name: (_) @name) @definition.method
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (_) @name) @definition.class
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function)
(variable_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function)
(expression_statement (assignment_expression left: (member_expression property: (property_identifier) @name) right: [(arrow_function) (function_expression)]) @definition.function)
(pair key: (property_identifier) @name value: [(arrow_function) (function_expression)]) @definition.function
(call_expression function: (identifier) @name) @reference
(call_expression function: (member_expression property: (property_identifier) @name)) @reference
(new_expression constructor: (identifier) @name) @reference
`;
