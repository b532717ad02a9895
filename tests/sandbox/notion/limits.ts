// Notion's documented request limits and enumerations (apis.md §1.9), in one place so every check
// quotes the same number the error message does.

/** `text.content` of one rich text item, counted in UTF-16 code units (JS string length). */
export const MAX_TEXT_CONTENT = 2000;
/** `text.link.url` of one rich text item. */
export const MAX_LINK_URL = 2000;
/** `equation.expression`, inline or block. */
export const MAX_EQUATION_EXPRESSION = 1000;
/** Items in any rich text array. */
export const MAX_RICH_TEXT_ITEMS = 100;
/** Blocks in any one `children` array. */
export const MAX_CHILDREN_PER_ARRAY = 100;
/** Levels of `children` below a top-level block in one request. */
export const MAX_NESTING_LEVELS = 2;
/** Blocks, counted at every level, in one request. */
export const MAX_BLOCKS_PER_REQUEST = 1000;
/** Whole request body. */
export const MAX_BODY_BYTES = 500 * 1024;
/** Options in one multi_select value, pages in one relation value, users in one people value. */
export const MAX_MULTI_SELECT = 100;
export const MAX_RELATIONS = 100;
export const MAX_PEOPLE = 100;
/** url property / bookmark / embed / media urls. */
export const MAX_URL = 2000;
export const MAX_EMAIL = 200;
export const MAX_PHONE = 200;
/** page_size of every paginated endpoint (also its default). */
export const MAX_PAGE_SIZE = 100;
/** One data source query returns at most this many rows, then reports request_status incomplete. */
export const QUERY_RESULT_CAP = 10_000;
/** Relation and people values in a page object are cut here; the rest needs pages.properties.retrieve. */
export const PAGE_PROPERTY_REFERENCE_CAP = 25;
/** How many characters of an offending value a validation message quotes. */
export const SHOWN_VALUE_CHARS = 55;

/**
 * The API versions we answer. Shapes are 2025-09-03's; 2026-03-11 drops `archived` and `after` and
 * brings `heading_4` (older versions refuse to write it and read it as `unsupported`).
 */
export const API_VERSIONS = ['2022-02-22', '2022-06-28', '2025-09-03', '2026-03-11'] as const;
export const VERSION_WITHOUT_ARCHIVED = '2026-03-11';
/** The first version with the heading_4 block. */
export const VERSION_WITH_HEADING_4 = '2026-03-11';

/** Code block languages, in the order Notion lists them when it refuses another. */
export const CODE_LANGUAGES: readonly string[] = [
  'abap',
  'abc',
  'agda',
  'arduino',
  'ascii art',
  'assembly',
  'bash',
  'basic',
  'bnf',
  'c',
  'c#',
  'c++',
  'clojure',
  'coffeescript',
  'coq',
  'css',
  'dart',
  'dhall',
  'diff',
  'docker',
  'ebnf',
  'elixir',
  'elm',
  'erlang',
  'f#',
  'flow',
  'fortran',
  'gherkin',
  'glsl',
  'go',
  'graphql',
  'groovy',
  'haskell',
  'hcl',
  'html',
  'idris',
  'java',
  'javascript',
  'json',
  'julia',
  'kotlin',
  'latex',
  'less',
  'lisp',
  'livescript',
  'llvm ir',
  'lua',
  'makefile',
  'markdown',
  'markup',
  'matlab',
  'mathematica',
  'mermaid',
  'nix',
  'notion formula',
  'objective-c',
  'ocaml',
  'pascal',
  'perl',
  'php',
  'plain text',
  'powershell',
  'prolog',
  'protobuf',
  'purescript',
  'python',
  'r',
  'racket',
  'reason',
  'ruby',
  'rust',
  'sass',
  'scala',
  'scheme',
  'scss',
  'shell',
  'smalltalk',
  'solidity',
  'sql',
  'swift',
  'toml',
  'typescript',
  'vb.net',
  'verilog',
  'vhdl',
  'visual basic',
  'webassembly',
  'xml',
  'yaml',
  'java/c/c++/c#',
];

/** Colors of select / multi_select / status options. */
export const SELECT_COLORS: readonly string[] = [
  'default',
  'gray',
  'brown',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
  'pink',
  'red',
];

/** Colors of text annotations and blocks: the select colors plus their `_background` variants. */
export const API_COLORS: readonly string[] = [
  ...SELECT_COLORS,
  ...SELECT_COLORS.filter((c) => c !== 'default').map((c) => `${c}_background`),
  'default_background',
];

/**
 * Link schemes Notion takes in `text.link.url`: web and mail links only; anything else (`tel:`, `ftp:`, a
 * relative URL) is "Invalid URL for link."
 */
export const LINK_SCHEMES: readonly string[] = ['http:', 'https:', 'mailto:'];
