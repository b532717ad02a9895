// Notion accepts a code block only with a language from its fixed list; one unknown language
// fails the whole append ("body.children[3].code.language should be …"). Models tag fences with
// short names (ts, py, sh, yml), so every tag goes through `toNotionLanguage`.
import type { BlockObjectRequest } from '@notionhq/client';

/** Notion's code block languages, exactly as the API spells them. */
export const NOTION_LANGUAGES = [
  'abap', 'abc', 'agda', 'arduino', 'ascii art', 'assembly', 'bash', 'basic', 'bnf', 'c', 'c#',
  'c++', 'clojure', 'coffeescript', 'coq', 'css', 'dart', 'dhall', 'diff', 'docker', 'ebnf',
  'elixir', 'elm', 'erlang', 'f#', 'flow', 'fortran', 'gherkin', 'glsl', 'go', 'graphql',
  'groovy', 'haskell', 'hcl', 'html', 'idris', 'java', 'javascript', 'json', 'julia', 'kotlin',
  'latex', 'less', 'lisp', 'livescript', 'llvm ir', 'lua', 'makefile', 'markdown', 'markup',
  'matlab', 'mathematica', 'mermaid', 'nix', 'notion formula', 'objective-c', 'ocaml', 'pascal',
  'perl', 'php', 'plain text', 'powershell', 'prolog', 'protobuf', 'purescript', 'python', 'r',
  'racket', 'reason', 'ruby', 'rust', 'sass', 'scala', 'scheme', 'scss', 'shell', 'smalltalk',
  'solidity', 'sql', 'swift', 'toml', 'typescript', 'vb.net', 'verilog', 'vhdl', 'visual basic',
  'webassembly', 'xml', 'yaml', 'java/c/c++/c#',
] as const;

export type NotionLanguage = (typeof NOTION_LANGUAGES)[number];

// The SDK's own language union (not exported from its root). If Notion's list and ours drift
// apart, one of these two lines stops compiling.
type SdkLanguage = Extract<BlockObjectRequest, { code: unknown }>['code']['language'];
const sdkAcceptsOurs: (language: NotionLanguage) => SdkLanguage = (language) => language;
const oursCoverSdk: (language: SdkLanguage) => NotionLanguage = (language) => language;
void sdkAcceptsOurs;
void oursCoverSdk;

export const DEFAULT_LANGUAGE: NotionLanguage = 'plain text';

/** Fence tags (lower case) that are not Notion names themselves, mapped to the closest language. */
const ALIAS_TABLE: Readonly<Record<string, NotionLanguage>> = {
  // JavaScript / TypeScript family
  ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript', deno: 'typescript',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript', node: 'javascript',
  nodejs: 'javascript', es6: 'javascript', ecmascript: 'javascript', javascriptreact: 'javascript',
  typescriptreact: 'typescript',
  jsonc: 'json', json5: 'json', jsonl: 'json', ndjson: 'json', geojson: 'json', 'json-ld': 'json',
  jsonld: 'json', ipynb: 'json',
  vue: 'html', svelte: 'html', astro: 'html', htm: 'html', xhtml: 'html', erb: 'html',
  ejs: 'html', handlebars: 'html', hbs: 'html', jinja: 'html', jinja2: 'html', liquid: 'html',
  twig: 'html', razor: 'html', cshtml: 'html',
  coffee: 'coffeescript', ls: 'livescript', purs: 'purescript', re: 'reason', res: 'reason',
  rescript: 'reason', reasonml: 'reason',
  // Shells
  sh: 'shell', zsh: 'shell', fish: 'shell', ksh: 'shell', csh: 'shell', tcsh: 'shell',
  console: 'shell', terminal: 'shell', 'shell-session': 'shell', shellsession: 'shell',
  shellscript: 'shell', 'sh-session': 'shell', cmd: 'shell', bat: 'shell', batch: 'shell',
  dosbatch: 'shell', ps: 'powershell', ps1: 'powershell', psm1: 'powershell', pwsh: 'powershell',
  posh: 'powershell',
  // Systems and compiled languages
  py: 'python', py3: 'python', python3: 'python', python2: 'python', pyi: 'python', pyw: 'python',
  gyp: 'python', pycon: 'python', ipython: 'python', jupyter: 'python', sage: 'python',
  starlark: 'python', bzl: 'python', bazel: 'python',
  rb: 'ruby', gemspec: 'ruby', podspec: 'ruby', rake: 'ruby', jruby: 'ruby', crystal: 'ruby',
  rs: 'rust', golang: 'go', kt: 'kotlin', kts: 'kotlin',
  cs: 'c#', csharp: 'c#', 'c-sharp': 'c#', dotnet: 'c#', fs: 'f#', fsharp: 'f#', fsx: 'f#',
  'f-sharp': 'f#', vb: 'visual basic', vba: 'visual basic', vbscript: 'visual basic',
  vbnet: 'vb.net', 'visual-basic': 'visual basic',
  cpp: 'c++', cc: 'c++', cxx: 'c++', 'c++17': 'c++', hpp: 'c++', hh: 'c++', hxx: 'c++',
  ino: 'arduino', h: 'c', objc: 'objective-c', objectivec: 'objective-c', 'obj-c': 'objective-c',
  mm: 'objective-c', m: 'objective-c', objcpp: 'objective-c', 'objective-c++': 'objective-c',
  asm: 'assembly', nasm: 'assembly', masm: 'assembly', gas: 'assembly', x86asm: 'assembly',
  armasm: 'assembly', wasm: 'webassembly', wat: 'webassembly', wast: 'webassembly',
  llvm: 'llvm ir', ll: 'llvm ir', f90: 'fortran', f95: 'fortran', f77: 'fortran', for: 'fortran',
  hs: 'haskell', lhs: 'haskell', ml: 'ocaml', mli: 'ocaml', ex: 'elixir', exs: 'elixir',
  erl: 'erlang', hrl: 'erlang', clj: 'clojure', cljs: 'clojure', cljc: 'clojure', edn: 'clojure',
  el: 'lisp', elisp: 'lisp', emacs: 'lisp', 'emacs-lisp': 'lisp', 'common-lisp': 'lisp',
  commonlisp: 'lisp', cl: 'lisp', scm: 'scheme', ss: 'scheme', rkt: 'racket', jl: 'julia',
  pl: 'perl', pm: 'perl', raku: 'perl', perl6: 'perl', php7: 'php', php8: 'php', phtml: 'php',
  sc: 'scala', sbt: 'scala', dart2: 'dart', flutter: 'dart', swiftui: 'swift',
  gradle: 'groovy', gvy: 'groovy', jenkinsfile: 'groovy', lua5: 'lua',
  luau: 'lua', st: 'smalltalk', pas: 'pascal', delphi: 'pascal', objectpascal: 'pascal',
  pro: 'prolog', sv: 'verilog', systemverilog: 'verilog', v: 'verilog', vhd: 'vhdl',
  sol: 'solidity', idr: 'idris', nixos: 'nix',
  wl: 'mathematica', wolfram: 'mathematica', nb: 'mathematica', mma: 'mathematica',
  octave: 'matlab', rlang: 'r', rscript: 'r', rmd: 'r', splus: 'r',
  // Data, config and markup
  yml: 'yaml', 'yaml-frontmatter': 'yaml', md: 'markdown', mdx: 'markdown', mkd: 'markdown',
  mkdn: 'markdown', gfm: 'markdown', rst: 'markup', asciidoc: 'markup', adoc: 'markup',
  svg: 'xml', xsl: 'xml', xslt: 'xml', xsd: 'xml', plist: 'xml', rss: 'xml', atom: 'xml',
  wsdl: 'xml', csproj: 'xml', pom: 'xml', ini: 'toml', cfg: 'toml', conf: 'toml',
  properties: 'toml', editorconfig: 'toml', env: 'shell', dotenv: 'shell',
  tf: 'hcl', tfvars: 'hcl', terraform: 'hcl', hcl2: 'hcl', nomad: 'hcl',
  dockerfile: 'docker', containerfile: 'docker', 'docker-compose': 'yaml', compose: 'yaml',
  k8s: 'yaml', kubernetes: 'yaml', helm: 'yaml', ansible: 'yaml',
  make: 'makefile', mk: 'makefile', mak: 'makefile', gnumakefile: 'makefile', cmake: 'makefile',
  proto: 'protobuf', proto3: 'protobuf', protobuf3: 'protobuf',
  gql: 'graphql', graphqls: 'graphql', sass3: 'sass', styl: 'css', stylus: 'css', pcss: 'css',
  postcss: 'css', tailwind: 'css', vert: 'glsl', frag: 'glsl', shader: 'glsl', hlsl: 'glsl',
  wgsl: 'glsl', feature: 'gherkin', cucumber: 'gherkin',
  tex: 'latex', context: 'latex', math: 'latex', katex: 'latex', mathjax: 'latex',
  bibtex: 'latex', mmd: 'mermaid', patch: 'diff', udiff: 'diff', 'git-diff': 'diff',
  abnf: 'bnf', 'ascii-art': 'ascii art', ascii: 'ascii art', asciiart: 'ascii art', ansi: 'ascii art',
  mysql: 'sql', postgresql: 'sql', postgres: 'sql', psql: 'sql', pgsql: 'sql', plsql: 'sql',
  plpgsql: 'sql', sqlite: 'sql', sqlite3: 'sql', tsql: 'sql', mssql: 'sql', mariadb: 'sql',
  bigquery: 'sql', snowflake: 'sql', hive: 'sql', spark: 'sql', sparksql: 'sql', cql: 'sql',
  prql: 'sql', 'llvm-ir': 'llvm ir', 'notion-formula': 'notion formula',
  formula: 'notion formula', 'plain-text': 'plain text', plaintext: 'plain text',
  text: 'plain text', txt: 'plain text', plain: 'plain text', none: 'plain text',
  nohighlight: 'plain text', 'no-highlight': 'plain text', raw: 'plain text', log: 'plain text',
  output: 'plain text', csv: 'plain text', tsv: 'plain text', http: 'plain text',
};

// A Map, so tags like "constructor" cannot hit Object.prototype.
const LANGUAGE_ALIASES = new Map<string, NotionLanguage>(Object.entries(ALIAS_TABLE));
const KNOWN = new Set<string>(NOTION_LANGUAGES);

const isNotionLanguage = (tag: string): tag is NotionLanguage => KNOWN.has(tag);

/**
 * The Notion language for a fence's info tag: case-insensitive, accepts Notion's own names and
 * common aliases and file extensions (`ts`, `py`, `sh`, `yml`, `language-rust`, `{.python}`,
 * `python3 title="x"`); anything unknown or missing is "plain text".
 */
export function toNotionLanguage(tag: string | null | undefined): NotionLanguage {
  if (!tag) return DEFAULT_LANGUAGE;
  const raw = tag.trim().toLowerCase();
  if (isNotionLanguage(raw)) return raw;
  // Only the first word is the language: "python title=x", "ts {1,3}".
  const word = (raw.replace(/^[{.\s]+/, '').split(/[\s{},]/)[0] ?? '').replace(/^(language|lang)-/, '');
  if (isNotionLanguage(word)) return word;
  return LANGUAGE_ALIASES.get(word) ?? DEFAULT_LANGUAGE;
}
