/** Rust tags; see python.ts for the conventions. */
export const RUST_TAGS = `
(impl_item body: (declaration_list (function_item name: (identifier) @name) @definition.method))
(trait_item body: (declaration_list (function_item name: (identifier) @name) @definition.method))
(trait_item body: (declaration_list (function_signature_item name: (identifier) @name) @definition.method))
(function_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(type_item name: (type_identifier) @name) @definition.type
(macro_definition name: (identifier) @name) @definition.macro
(call_expression function: (identifier) @name) @reference
(call_expression function: (field_expression field: (field_identifier) @name)) @reference
(call_expression function: (scoped_identifier name: (identifier) @name)) @reference
(macro_invocation macro: (identifier) @name) @reference
(type_identifier) @name @reference
`;
