export const REFERENCE_PREFIX = '$v';
/** Tool name of bindings extracted from assistant text. */
export const BINDING_SOURCE_ASSISTANT_TEXT = 'assistant_text';
/** `arguments.source` of bindings extracted from assistant text. */
export const BINDING_SOURCE_EXTRACTED = 'extracted';
/** Session state key of guard snapshots. */
export const TOOL_STATE_STATE_KEY = 'tool_state';
/** The reference's token regex, kept for documentation and compat tests. */
export const REFERENCE_TOKEN_REGEX_SOURCE = String.raw`\$\{?([a-zA-Z_][a-zA-Z0-9_]*|v\d+)\}?`;
/** Argument key that guards never treat as a numeric literal. */
export const TOOL_NAME_ARG = 'tool_name';
