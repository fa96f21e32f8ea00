/**
 * Python tags. Patterns come most specific first: where two match one definition the earlier wins
 * (a function in a class body is a method). Captures: `@name` inside `@definition.<kind>` or `@reference`.
 */
export const PYTHON_TAGS = `
(class_definition body: (block (function_definition name: (identifier) @name) @definition.method))
(class_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @name) @definition.method)))
(function_definition name: (identifier) @name) @definition.function
(class_definition name: (identifier) @name) @definition.class
(call function: (identifier) @name) @reference
(call function: (attribute attribute: (identifier) @name)) @reference
(class_definition superclasses: (argument_list (identifier) @name)) @reference
(type (identifier) @name) @reference
`;
