/** Go tags; see python.ts for the conventions. */
export const GO_TAGS = `
(method_declaration name: (field_identifier) @name) @definition.method
(function_declaration name: (identifier) @name) @definition.function
(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name) @definition.type
(method_elem name: (field_identifier) @name) @definition.method
(call_expression function: (identifier) @name) @reference
(call_expression function: (selector_expression field: (field_identifier) @name)) @reference
(type_identifier) @name @reference
`;
