// The fidelity corpus: real shapes of model answers, each with what a Notion user should see, and each
// written through the real planner and writer into a checker that refuses whatever Notion's API refuses
// (children per request, nesting per request, elements, payload, rich text items, text length, link
// schemes, code languages). Long on purpose: a table of cases, one per line, is the point of the file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE_LANGUAGES } from '../../tests/sandbox/notion/limits';
import { checkAppend } from '../../tests/sandbox/notion/append-check';
import { writeBlocks, type WriteIo } from './block-writer';
import { NOTION_LANGUAGES } from './code-languages';
import { blockChildren, markdownToBlocks, type MarkdownOptions } from './markdown-to-blocks';
import { richTextToPlainText } from './rich-text';
import { type BlockTree, type RichTextItemRequest } from '../shared/notion-shapes';

/** Rich text as Markdown-like markup: **bold**, _italic_, ~~strike~~, <u>underline</u>, `code`, [link](url). */
function markup(items: readonly RichTextItemRequest[]): string {
  return items
    .map((item) => {
      if (!('text' in item)) return '';
      let text = item.text.content.replace(/\n/g, '⏎');
      const a = item.annotations ?? {};
      if (a.code) text = `\`${text}\``;
      if (a.bold) text = `**${text}**`;
      if (a.italic) text = `_${text}_`;
      if (a.strikethrough) text = `~~${text}~~`;
      if (a.underline) text = `<u>${text}</u>`;
      const link = item.text.link?.url;
      return link ? `[${text}](${link})` : text;
    })
    .join('');
}

type Data = {
  rich_text?: RichTextItemRequest[];
  language?: string;
  expression?: string;
  checked?: boolean;
  cells?: RichTextItemRequest[][];
  table_width?: number;
  external?: { url: string };
  caption?: RichTextItemRequest[];
};

/** One line per block, children indented by two spaces: `heading_2: A **bold** title`. */
function outline(blocks: readonly BlockTree[], depth = 0): string[] {
  return blocks.flatMap((block) => {
    const data = (block as unknown as Record<string, Data>)[block.type] ?? {};
    const pad = '  '.repeat(depth);
    let line: string;
    switch (block.type) {
      case 'code':
        line = `code(${data.language}): ${markup(data.rich_text ?? [])}`;
        break;
      case 'equation':
        line = `equation: ${data.expression}`;
        break;
      case 'to_do':
        line = `to_do[${data.checked ? 'x' : ' '}]: ${markup(data.rich_text ?? [])}`;
        break;
      case 'table':
        line = `table(${data.table_width})`;
        break;
      case 'table_row':
        line = `row: ${(data.cells ?? []).map(markup).join(' | ')}`;
        break;
      case 'image':
        line = `image: ${data.external?.url}${data.caption?.length ? ` "${markup(data.caption)}"` : ''}`;
        break;
      case 'divider':
        line = 'divider';
        break;
      default:
        line = `${block.type}: ${markup(data.rich_text ?? [])}`;
    }
    return [`${pad}${line}`, ...outline(blockChildren(block), depth + 1)];
  });
}

/**
 * Writes the blocks through the real planner and writer into a stand-in for Notion that checks every
 * append as the sandbox does (tests/sandbox/notion/append-check.ts). Resolves with the number of
 * requests and the first refusal, if any.
 */
async function writeChecked(blocks: BlockTree[]): Promise<{ requests: number; refusal?: string }> {
  let next = 0;
  let refusal: string | undefined;
  const created = new Map<string, { type: string; data: Record<string, unknown> }>();
  const io: WriteIo = {
    append: async ({ blockId, children, afterBlockId }) => {
      try {
        const body = {
          children,
          ...(afterBlockId ? { position: { type: 'after_block', after_block: { id: afterBlockId } } } : {}),
        };
        checkAppend(body, created.get(blockId));
      } catch (error) {
        refusal ??= error instanceof Error ? error.message : String(error);
        throw error;
      }
      return {
        ids: children.map((child) => {
          const id = `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
          const type = child.type ?? '';
          created.set(id, { type, data: (child as unknown as Record<string, Record<string, unknown>>)[type] ?? {} });
          return id;
        }),
      };
    },
    listChildren: async () => [],
    botId: async () => 'bot',
  };
  const result = await writeBlocks('00000000-0000-4000-8000-000000000000', blocks, io);
  if (result.failure && refusal === undefined) refusal = String(result.failure.error);
  return { requests: result.requests, ...(refusal === undefined ? {} : { refusal }) };
}

/** A case: a model's answer and the outline a person should see in Notion. */
type Case = [name: string, markdown: string, expected: string[], options?: MarkdownOptions];

const FENCE = '```';
const allowAll: MarkdownOptions = { allowImage: () => true };

const CASES: Record<string, Case[]> = {
  'a whole answer in a markdown fence is the document': [
    [
      '```markdown',
      `${FENCE}markdown\n# Title\n\nSome **bold** text.\n${FENCE}`,
      ['heading_1: Title', 'paragraph: Some **bold** text.'],
    ],
    ['```md', `${FENCE}md\n- one\n- two\n${FENCE}`, ['bulleted_list_item: one', 'bulleted_list_item: two']],
    ['~~~markdown', '~~~markdown\n## Part\n\nText\n~~~', ['heading_2: Part', 'paragraph: Text']],
    ['```Markdown in capitals', `${FENCE}Markdown\n*hi*\n${FENCE}`, ['paragraph: _hi_']],
    ['surrounded by blank lines', `\n\n${FENCE}markdown\nHello\n${FENCE}\n\n`, ['paragraph: Hello']],
    [
      'left open by the model',
      `${FENCE}markdown\n# Draft\n\nCut off here`,
      ['heading_1: Draft', 'paragraph: Cut off here'],
    ],
    [
      'closed early by a nested bare fence',
      `${FENCE}markdown\n# Guide\n\n${FENCE}python\nprint(1)\n${FENCE}\n\nDone.\n${FENCE}`,
      ['heading_1: Guide', 'code(python): print(1)', 'paragraph: Done.'],
    ],
    [
      'with a four-backtick outer fence around code',
      '````markdown\nIntro\n\n```js\nlet a = 1;\n```\n````',
      ['paragraph: Intro', 'code(javascript): let a = 1;'],
    ],
    [
      'a fenced block inside a longer answer stays code',
      `Example:\n\n${FENCE}markdown\n# not a heading\n${FENCE}`,
      ['paragraph: Example:', 'code(markdown): # not a heading'],
    ],
    ['a whole answer fenced as python stays code', `${FENCE}python\nx = 1\n${FENCE}`, ['code(python): x = 1']],
    [
      'two markdown fences with text between stay code',
      `${FENCE}md\na\n${FENCE}\n\nthen\n\n${FENCE}md\nb\n${FENCE}`,
      ['code(markdown): a', 'paragraph: then', 'code(markdown): b'],
    ],
  ],
  'Windows line endings': [
    ['paragraphs', 'First line\r\nsecond line\r\n\r\nNext', ['paragraph: First line⏎second line', 'paragraph: Next']],
    ['a list', '- a\r\n- b\r\n', ['bulleted_list_item: a', 'bulleted_list_item: b']],
    ['code', `${FENCE}js\r\nlet a;\r\nlet b;\r\n${FENCE}`, ['code(javascript): let a;⏎let b;']],
    ['old Mac endings', 'one\rtwo', ['paragraph: one⏎two']],
    ['a heading', '# Title\r\n\r\nBody', ['heading_1: Title', 'paragraph: Body']],
  ],
  'display math': [
    ['one line', '$$E = mc^2$$', ['equation: E = mc^2']],
    ['one line keeps its backslashes', '$$ a\\,b \\quad \\frac{1}{2} $$', ['equation: a\\,b \\quad \\frac{1}{2}']],
    [
      'one line between paragraphs',
      'Before\n$$x^2$$\nAfter',
      ['paragraph: Before', 'equation: x^2', 'paragraph: After'],
    ],
    ['on lines of its own', '$$\n\\int_0^1 x\\,dx\n$$', ['equation: \\int_0^1 x\\,dx']],
    ['with underscores that are not emphasis', '$$\na_1 + a_2 * b_3\n$$', ['equation: a_1 + a_2 * b_3']],
    ['in a quote', '> $$y = x$$', ['quote: ', '  equation: y = x']],
    ['in a list item', '- Formula:\n\n  $$a+b$$', ['bulleted_list_item: Formula:', '  equation: a+b']],
    ['prices stay text', 'It costs $5 and $10.', ['paragraph: It costs $5 and $10.']],
    ['inline $…$ stays text', 'Let $x$ be 2.', ['paragraph: Let $x$ be 2.']],
    ['$$$ is not math', '$$$ a lot $$$', ['paragraph: $$$ a lot $$$']],
    ['inside code it stays code', `${FENCE}\n$$x$$\n${FENCE}`, ['code(plain text): $$x$$']],
    ['unclosed stays text', '$$\nx', ['paragraph: $$⏎x']],
    ['over 1,000 characters becomes LaTeX code', `$$${'x+'.repeat(600)}1$$`, [`code(latex): ${'x+'.repeat(600)}1`]],
  ],
  'HTML that models write': [
    ['<br> is a line break', 'one<br>two<br/>three<br />four', ['paragraph: one⏎two⏎three⏎four']],
    [
      '<b> and <strong>',
      'a <b>bold</b> and <strong>strong</strong> word',
      ['paragraph: a **bold** and **strong** word'],
    ],
    ['<i> and <em>', '<i>it</i> and <em>em</em>', ['paragraph: _it_ and _em_']],
    ['<u>', 'an <u>underlined</u> word', ['paragraph: an <u>underlined</u> word']],
    ['<s>, <del>, <strike>', '<s>a</s> <del>b</del> <strike>c</strike>', ['paragraph: ~~a~~ ~~b~~ ~~c~~']],
    ['<code> and <kbd>', 'press <kbd>Ctrl</kbd> or run <code>ls</code>', ['paragraph: press `Ctrl` or run `ls`']],
    ['nested tags', '<b>bold <i>both</i></b>', ['paragraph: **bold **_**both**_']],
    ['tags around Markdown', '<u>**both**</u>', ['paragraph: <u>**both**</u>']],
    ['<a href>', 'see <a href="https://example.com">the site</a>', ['paragraph: see [the site](https://example.com)']],
    ['<a> with a javascript: href keeps its text', '<a href="javascript:alert(1)">click</a>', ['paragraph: click']],
    ['an inline comment vanishes', 'keep <!-- hidden note --> this', ['paragraph: keep  this']],
    ['a comment block vanishes', 'Top\n\n<!-- TODO: more -->\n\nBottom', ['paragraph: Top', 'paragraph: Bottom']],
    ['unknown tags keep their text', 'a <span class="x">styled</span> word', ['paragraph: a styled word']],
    ['<sup> and <sub> keep their text', 'H<sub>2</sub>O and x<sup>2</sup>', ['paragraph: H2O and x2']],
    ['entities in an HTML block', '<p>Fish &amp; chips &lt;3</p>', ['paragraph: Fish & chips <3']],
    ['an HTML paragraph block', '<p align="center">\n  <b>Centered</b> title\n</p>', ['paragraph: **Centered** title']],
    ['<div> lines', '<div>One</div>\n<div>Two</div>', ['paragraph: One⏎Two']],
    ['a script never shows', '<script>alert(1)</script>\n\nText', ['paragraph: Text']],
    ['<hr> is a divider', 'a\n\n<hr>\n\nb', ['paragraph: a', 'divider', 'paragraph: b']],
    [
      '<details> on one line',
      '<details><summary>More</summary>Hidden text</details>',
      ['toggle: More', '  paragraph: Hidden text'],
    ],
    [
      '<details> with a Markdown body',
      '<details>\n<summary>Show the steps</summary>\n\n1. First\n2. **Second**\n\n</details>',
      ['toggle: Show the steps', '  numbered_list_item: First', '  numbered_list_item: **Second**'],
    ],
    [
      '<details> with a formatted summary',
      '<details>\n<summary><b>Answer</b></summary>\n\nIt is 42.\n</details>',
      ['toggle: **Answer**', '  paragraph: It is 42.'],
    ],
    [
      'nested <details>',
      '<details>\n<summary>Outer</summary>\n\n<details>\n<summary>Inner</summary>\n\nDeep\n\n</details>\n\n</details>',
      ['toggle: Outer', '  toggle: Inner', '    paragraph: Deep'],
    ],
    ['<details> without a summary', '<details>\n\nBody\n\n</details>', ['toggle: Details', '  paragraph: Body']],
    [
      '<details> then more text',
      '<details><summary>Q</summary>A</details>\n\nAfter',
      ['toggle: Q', '  paragraph: A', 'paragraph: After'],
    ],
  ],
  'HTML a second look found': [
    [
      'consecutive <details> without a blank line between',
      '<details>\n<summary>Q1?</summary>\n\nA1.\n\n</details>\n<details>\n<summary>Q2?</summary>\n\nA2.\n\n</details>',
      ['toggle: Q1?', '  paragraph: A1.', 'toggle: Q2?', '  paragraph: A2.'],
    ],
    [
      'consecutive one-line <details>',
      '<details><summary>Q1</summary>A1</details>\n<details><summary>Q2</summary>A2</details>',
      ['toggle: Q1', '  paragraph: A1', 'toggle: Q2', '  paragraph: A2'],
    ],
    [
      'an unclosed <script> keeps the rest of the answer',
      '<script> runs JS.\n\n## Heading\n\nBody.',
      ['paragraph: runs JS.', 'heading_2: Heading', 'paragraph: Body.'],
    ],
    ['a placeholder in angle brackets stays', 'Dear <First Name>,', ['paragraph: Dear <First Name>,']],
    [
      'a placeholder mid-sentence stays',
      'reply to <your email> by Friday',
      ['paragraph: reply to <your email> by Friday'],
    ],
    ['generics in a heading stay', '## Returning Promise<void>', ['heading_2: Returning Promise<void>']],
    ['generics in text stay', 'a Vec<u8> here', ['paragraph: a Vec<u8> here']],
    [
      '<pre><code> keeps its lines and indentation',
      '<pre><code>def f():\n    return 1\n</code></pre>',
      ['code(plain text): def f():⏎    return 1'],
    ],
    [
      '<pre> with a language class',
      '<pre><code class="language-python">x = 1 &lt; 2</code></pre>',
      ['code(python): x = 1 < 2'],
    ],
    [
      'an HTML table is a table',
      '<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td><b>2</b></td></tr></table>',
      ['table(2)', '  row: a | b', '  row: 1 | **2**'],
    ],
    [
      'a footnote inside a toggle',
      '<details><summary>More</summary>\n\nSee this[^1].\n\n</details>\n\n[^1]: The note.',
      ['toggle: More', '  paragraph: See this¹.', 'heading_3: Notes', 'numbered_list_item: The note.'],
    ],
    [
      'a reference link inside a toggle',
      '<details><summary>Docs</summary>\n\nRead [the guide][g].\n\n</details>\n\n[g]: https://example.com/guide',
      ['toggle: Docs', '  paragraph: Read [the guide](https://example.com/guide).'],
    ],
    [
      'a summary that looks like a list stays its text',
      '<details><summary>1. Install</summary>Run it</details>',
      ['toggle: 1. Install', '  paragraph: Run it'],
    ],
    [
      '<details> inside a quote',
      '> <details>\n> <summary>S</summary>\n>\n> Body\n>\n> </details>',
      ['quote: ', '  toggle: S', '    paragraph: Body'],
    ],
    [
      'three <details> on one line',
      '<details><summary>A</summary>1</details><details><summary>B</summary>2</details><details><summary>C</summary>3</details>',
      ['toggle: A', '  paragraph: 1', 'toggle: B', '  paragraph: 2', 'toggle: C', '  paragraph: 3'],
    ],
    [
      'a <details> never closed holds the rest, as a browser shows it',
      '<details>\n<summary>Open</summary>\n\nNever closed\n\n## Later',
      ['toggle: Open', '  paragraph: Never closed', '  heading_2: Later'],
    ],
    [
      '<details> inside a list item',
      '- Item\n\n  <details>\n  <summary>Inner</summary>\n\n  Body\n\n  </details>\n\n- Next',
      ['bulleted_list_item: Item', '  toggle: Inner', '    paragraph: Body', 'bulleted_list_item: Next'],
    ],
    ['entities beyond the common ones', '<p>2 &times; 3 &rarr; 6 &le; &euro;7</p>', ['paragraph: 2 × 3 → 6 ≤ €7']],
    [
      'an <img> keeps its alt text',
      '<p>Logo: <img src="https://i.example/l.png" alt="Acme"></p>',
      ['paragraph: Logo: Acme'],
    ],
  ],
  'display math next to code': [
    ['$$ in indented code stays code', 'Example:\n\n    $$x^2$$', ['paragraph: Example:', 'code(plain text): $$x^2$$']],
    [
      '$$ in a fence on a list-marker line stays code',
      '- ```\n  $$x$$\n  ```',
      ['bulleted_list_item: ', '  code(plain text): $$x$$'],
    ],
    [
      'a long line of $$ without a close stays text',
      `$$${'a '.repeat(20_000)}`,
      [`paragraph: $$${'a '.repeat(20_000).trim()}`],
    ],
  ],
  'fences a second look found': [
    ['an indented whole-answer fence', '  ```md\n  # T\n  - a\n  ```', ['heading_1: T', 'bulleted_list_item: a']],
  ],
  'links Notion accepts': [
    ['https', '[site](https://example.com/a?b=1)', ['paragraph: [site](https://example.com/a?b=1)']],
    ['mailto', '[mail us](mailto:team@example.com)', ['paragraph: [mail us](mailto:team@example.com)']],
    ['tel: stays text', 'Call [us](tel:+15550100) now', ['paragraph: Call us now']],
    ['relative stays text', 'See [intro](/docs/intro).', ['paragraph: See intro.']],
    ['an anchor stays text', 'Jump to [setup](#setup).', ['paragraph: Jump to setup.']],
    ['javascript: stays text', '[click](javascript:alert(1))', ['paragraph: click']],
    ['an autolink', '<https://example.com>', ['paragraph: [https://example.com](https://example.com)']],
    [
      'a bare www link',
      'Visit www.example.com today',
      ['paragraph: Visit [www.example.com](http://www.example.com) today'],
    ],
    ['a bare email', 'Write to bob@example.com', ['paragraph: Write to [bob@example.com](mailto:bob@example.com)']],
    ['a reference link', '[docs][d]\n\n[d]: https://example.com/docs', ['paragraph: [docs](https://example.com/docs)']],
    [
      'bold inside a link',
      '[**big** link](https://a.example)',
      ['paragraph: [**big**](https://a.example)[ link](https://a.example)'],
    ],
    ['a URL with spaces is encoded', '[x](<https://example.com/a b>)', ['paragraph: [x](https://example.com/a%20b)']],
  ],
  footnotes: [
    [
      'one note',
      'Water boils at 100 °C.[^1]\n\n[^1]: At sea level.',
      ['paragraph: Water boils at 100 °C.¹', 'heading_3: Notes', 'numbered_list_item: At sea level.'],
    ],
    [
      'numbered in order of reference, not of label',
      'A[^b] and B[^a].\n\n[^a]: Note a.\n[^b]: Note b.',
      ['paragraph: A¹ and B².', 'heading_3: Notes', 'numbered_list_item: Note b.', 'numbered_list_item: Note a.'],
    ],
    [
      'the same note twice keeps its number',
      'One[^x], again[^x].\n\n[^x]: Shared.',
      ['paragraph: One¹, again¹.', 'heading_3: Notes', 'numbered_list_item: Shared.'],
    ],
    [
      'a note nobody refers to still shows',
      'Text[^1].\n\n[^1]: Used.\n[^2]: Unused.',
      ['paragraph: Text¹.', 'heading_3: Notes', 'numbered_list_item: Used.', 'numbered_list_item: Unused.'],
    ],
    [
      'a note of two paragraphs',
      'See[^n].\n\n[^n]: First part.\n\n    Second part.',
      ['paragraph: See¹.', 'heading_3: Notes', 'numbered_list_item: First part.', '  paragraph: Second part.'],
    ],
    [
      'a note in the middle still goes to the end',
      'A[^1]\n\n[^1]: The note.\n\nB',
      ['paragraph: A¹', 'paragraph: B', 'heading_3: Notes', 'numbered_list_item: The note.'],
    ],
    ['an undefined marker stays as written', 'Odd[^9] text', ['paragraph: Odd[^9] text']],
    [
      'twelve notes get two-digit markers',
      `${Array.from({ length: 12 }, (_, i) => `n${i + 1}[^${i + 1}]`).join(' ')}\n\n${Array.from({ length: 12 }, (_, i) => `[^${i + 1}]: note ${i + 1}`).join('\n')}`,
      [
        `paragraph: ${Array.from({ length: 12 }, (_, i) => `n${i + 1}${['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹', '¹⁰', '¹¹', '¹²'][i]}`).join(' ')}`,
        'heading_3: Notes',
        ...Array.from({ length: 12 }, (_, i) => `numbered_list_item: note ${i + 1}`),
      ],
    ],
  ],
  headings: [
    ['h1 to h3', '# A\n## B\n### C', ['heading_1: A', 'heading_2: B', 'heading_3: C']],
    ['h4 is heading_4', '#### Four', ['heading_4: Four']],
    ['h5 and h6 are heading_4', '##### Five\n###### Six', ['heading_4: Five', 'heading_4: Six']],
    ['setext headings', 'Title\n=====\n\nSub\n---', ['heading_1: Title', 'heading_2: Sub']],
    ['formatting in a heading', '## The `run()` **call**', ['heading_2: The `run()` **call**']],
    ['closing hashes', '### Done ###', ['heading_3: Done']],
  ],
  'inline formatting': [
    ['bold, italic, strike, code', '**b** *i* ~~s~~ `c`', ['paragraph: **b** _i_ ~~s~~ `c`']],
    ['bold italic', '***both***', ['paragraph: _**both**_']],
    ['underscores', '__b__ and _i_', ['paragraph: **b** and _i_']],
    ['escaped characters', '\\*not italic\\* and 2 \\* 3', ['paragraph: *not italic* and 2 * 3']],
    ['a hard break', 'line one  \nline two', ['paragraph: line one⏎line two']],
    ['a backslash break', 'line one\\\nline two', ['paragraph: line one⏎line two']],
    ['snake_case stays', 'use my_var_name here', ['paragraph: use my_var_name here']],
    ['code with backticks', '`` a `b` c ``', ['paragraph: `a `b` c`']],
  ],
  'lists and nesting': [
    ['bullets', '- a\n- b', ['bulleted_list_item: a', 'bulleted_list_item: b']],
    ['numbers', '1. a\n2. b', ['numbered_list_item: a', 'numbered_list_item: b']],
    ['a list starting at 3', '3. c\n4. d', ['numbered_list_item: c', 'numbered_list_item: d']],
    [
      'nested two levels',
      '- a\n  - b\n    - c',
      ['bulleted_list_item: a', '  bulleted_list_item: b', '    bulleted_list_item: c'],
    ],
    [
      'nested to depth 6',
      '- 1\n  - 2\n    - 3\n      - 4\n        - 5\n          - 6',
      [
        'bulleted_list_item: 1',
        '  bulleted_list_item: 2',
        '    bulleted_list_item: 3',
        '      bulleted_list_item: 4',
        '        bulleted_list_item: 5',
        '          bulleted_list_item: 6',
      ],
    ],
    [
      'ordered inside bullets inside ordered',
      '1. one\n   - dot\n     1. deep',
      ['numbered_list_item: one', '  bulleted_list_item: dot', '    numbered_list_item: deep'],
    ],
    ['a loose list', '- a\n\n- b', ['bulleted_list_item: a', 'bulleted_list_item: b']],
    ['an item of two paragraphs', '- first\n\n  second', ['bulleted_list_item: first', '  paragraph: second']],
    [
      'an item holding code',
      `- run:\n\n  ${FENCE}sh\n  npm test\n  ${FENCE}`,
      ['bulleted_list_item: run:', '  code(shell): npm test'],
    ],
    ['* and + bullets', '* a\n+ b', ['bulleted_list_item: a', 'bulleted_list_item: b']],
  ],
  'task lists': [
    ['checked and not', '- [ ] todo\n- [x] done', ['to_do[ ]: todo', 'to_do[x]: done']],
    ['nested tasks', '- [ ] parent\n  - [x] child', ['to_do[ ]: parent', '  to_do[x]: child']],
    ['a task with formatting', '- [X] **ship** it', ['to_do[x]: **ship** it']],
    ['a numbered task', '1. [ ] step', ['to_do[ ]: step']],
  ],
  quotes: [
    ['one line', '> Quoted', ['quote: Quoted']],
    ['two paragraphs', '> One\n>\n> Two', ['quote: One', '  paragraph: Two']],
    [
      'a quote holding a list',
      '> Note:\n> - a\n> - b',
      ['quote: Note:', '  bulleted_list_item: a', '  bulleted_list_item: b'],
    ],
    ['a nested quote', '> outer\n>\n> > inner', ['quote: outer', '  quote: inner']],
    ['a lazy continuation', '> one\ntwo', ['quote: one⏎two']],
  ],
  code: [
    ['ts → typescript', `${FENCE}ts\nconst a = 1;\n${FENCE}`, ['code(typescript): const a = 1;']],
    ['py → python', `${FENCE}py\nprint()\n${FENCE}`, ['code(python): print()']],
    ['sh → shell', `${FENCE}sh\nls\n${FENCE}`, ['code(shell): ls']],
    ['yml → yaml', `${FENCE}yml\na: 1\n${FENCE}`, ['code(yaml): a: 1']],
    ['an unknown language → plain text', `${FENCE}brainfork\n+++\n${FENCE}`, ['code(plain text): +++']],
    ['no language', `${FENCE}\nraw\n${FENCE}`, ['code(plain text): raw']],
    ['a language in capitals with attributes', `${FENCE}Python title="x.py"\npass\n${FENCE}`, ['code(python): pass']],
    ['tilde fences', '~~~rust\nfn main() {}\n~~~', ['code(rust): fn main() {}']],
    ['indented code', '    indented\n    code', ['code(plain text): indented⏎code']],
    ['empty code', `${FENCE}js\n${FENCE}`, ['code(javascript): ']],
    ['Markdown inside code stays literal', `${FENCE}\n**not bold**\n${FENCE}`, ['code(plain text): **not bold**']],
  ],
  tables: [
    ['a simple table', '| a | b |\n|---|---|\n| 1 | 2 |', ['table(2)', '  row: a | b', '  row: 1 | 2']],
    [
      'ragged rows are padded and cut',
      '| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |',
      ['table(2)', '  row: a | b', '  row: 1 | ', '  row: 1 | 2'],
    ],
    ['escaped pipes', '| a |\n|---|\n| x \\| y |', ['table(1)', '  row: a', '  row: x | y']],
    [
      'inline formatting and links in cells',
      '| **b** | [l](https://e.example) |\n|---|---|\n| `c` | ~~s~~ |',
      ['table(2)', '  row: **b** | [l](https://e.example)', '  row: `c` | ~~s~~'],
    ],
    [
      'alignment markers',
      '| l | c | r |\n|:--|:-:|--:|\n| 1 | 2 | 3 |',
      ['table(3)', '  row: l | c | r', '  row: 1 | 2 | 3'],
    ],
    ['empty cells', '| a | b |\n|---|---|\n|   |   |', ['table(2)', '  row: a | b', '  row:  | ']],
    ['<br> in a cell', '| a |\n|---|\n| x<br>y |', ['table(1)', '  row: a', '  row: x⏎y']],
    ['a header-only table', '| h |\n|---|', ['table(1)', '  row: h']],
  ],
  images: [
    [
      'an image Inkling may not place stays a link',
      '![chart](https://img.example/c.png)',
      ['paragraph: [chart](https://img.example/c.png)'],
    ],
    [
      'an allowed image is an image block',
      '![chart](https://img.example/c.png)',
      ['image: https://img.example/c.png "chart"'],
      allowAll,
    ],
    [
      'an allowed image splits its paragraph',
      'Look: ![x](https://i.example/x.png) here',
      ['paragraph: Look:', 'image: https://i.example/x.png "x"', 'paragraph: here'],
      allowAll,
    ],
    ['a relative image stays its alt text', '![logo](./logo.png)', ['paragraph: logo'], allowAll],
    [
      'an image reference',
      '![pic][p]\n\n[p]: https://i.example/p.png',
      ['image: https://i.example/p.png "pic"'],
      allowAll,
    ],
    [
      'an image inside a link stays text',
      '[![badge](https://i.example/b.svg)](https://ci.example)',
      ['paragraph: [badge](https://ci.example)'],
      allowAll,
    ],
    [
      'an image without alt text shows its URL',
      '![](https://i.example/z.png)',
      ['paragraph: [https://i.example/z.png](https://i.example/z.png)'],
    ],
  ],
  'empty and whitespace-only answers': [
    ['empty', '', []],
    ['spaces', '   ', []],
    ['blank lines and tabs', '\n\n\t\n', []],
    ['only a comment', '<!-- nothing -->', []],
    ['an empty markdown fence', `${FENCE}markdown\n${FENCE}`, []],
    ['only a divider', '---', ['divider']],
  ],
  'everything else': [
    ['a divider between paragraphs', 'a\n\n***\n\nb', ['paragraph: a', 'divider', 'paragraph: b']],
    ['a definition alone shows nothing', '[a]: https://example.com', []],
    ['emoji and CJK text', '你好 👋 世界', ['paragraph: 你好 👋 世界']],
    ['right-to-left text', 'مرحبا بالعالم', ['paragraph: مرحبا بالعالم']],
  ],
};

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

type TextData = { rich_text?: RichTextItemRequest[]; cells?: RichTextItemRequest[][] };

/** Every rich text array anywhere in the tree (block text and table cells), in reading order. */
const richTextArrays = (blocks: readonly BlockTree[]): RichTextItemRequest[][] =>
  allBlocks(blocks)
    .map((block) => (block as unknown as Record<string, TextData>)[block.type] ?? {})
    .flatMap((data) => (data.rich_text ? [data.rich_text] : (data.cells ?? [])));

const contents = (items: readonly RichTextItemRequest[]): string[] =>
  items.map((item) => ('text' in item ? item.text.content : ''));

/** The places where one item ends and the next begins all fall between characters a person sees. */
function cutsOnGraphemes(items: readonly RichTextItemRequest[]): boolean {
  const text = contents(items).join('');
  const boundaries = new Set([...graphemes.segment(text)].map((segment) => segment.index));
  let offset = 0;
  for (const piece of contents(items).slice(0, -1)) {
    offset += piece.length;
    if (!boundaries.has(offset)) return false;
  }
  return true;
}

function allBlocks(blocks: readonly BlockTree[]): BlockTree[] {
  return blocks.flatMap((block) => [block, ...allBlocks(blockChildren(block))]);
}

function depthOf(blocks: readonly BlockTree[]): number {
  return blocks.length === 0 ? 0 : 1 + Math.max(...blocks.map((block) => depthOf(blockChildren(block))));
}

/** A generated case: a long or deep answer, with what must hold of its blocks. */
type Generated = [name: string, markdown: () => string, check: (blocks: BlockTree[]) => void];

const FAMILY = '👨‍👩‍👧‍👦';
const FLAG = '🇯🇵';

const GENERATED: Generated[] = [
  [
    '5,000 characters of ZWJ emoji with bold crossing 2,000',
    () => `${'a'.repeat(1_990)}**${FAMILY.repeat(150)}** and ${FAMILY.repeat(200)}`,
    (blocks) => {
      const [items = []] = richTextArrays(blocks);
      expect(contents(items).join('')).toBe(`${'a'.repeat(1_990)}${FAMILY.repeat(150)} and ${FAMILY.repeat(200)}`);
      expect(items.every((item) => 'text' in item && item.text.content.length <= 2_000)).toBe(true);
      expect(cutsOnGraphemes(items)).toBe(true);
    },
  ],
  [
    'a flag across the 2,000-character cut',
    () => `${'a'.repeat(1_998)}${FLAG}${'b'.repeat(10)}`,
    (blocks) => {
      const [items = []] = richTextArrays(blocks);
      expect(contents(items)).toEqual(['a'.repeat(1_998), `${FLAG}${'b'.repeat(10)}`]);
    },
  ],
  [
    'a family emoji across the cut',
    () => `${'a'.repeat(1_995)}${FAMILY}z`,
    (blocks) => {
      const [items = []] = richTextArrays(blocks);
      expect(contents(items)).toEqual(['a'.repeat(1_995), `${FAMILY}z`]);
    },
  ],
  [
    'a letter and its accent across the cut',
    () => `${'a'.repeat(1_999)}e\u0301tude`,
    (blocks) => {
      const [items = []] = richTextArrays(blocks);
      expect(contents(items)).toEqual(['a'.repeat(1_999), 'e\u0301tude']);
    },
  ],
  [
    'a skin-tone emoji and a keycap across cuts',
    () => `${'a'.repeat(1_999)}👍🏽${'b'.repeat(1_999)}1️⃣`,
    (blocks) => {
      const [items = []] = richTextArrays(blocks);
      expect(cutsOnGraphemes(items)).toBe(true);
      expect(contents(items).join('')).toBe(`${'a'.repeat(1_999)}👍🏽${'b'.repeat(1_999)}1️⃣`);
    },
  ],
  [
    '5,000 characters of CJK with formatting crossing 2,000',
    () => `${'中文'.repeat(990)}**${'粗体'.repeat(100)}**${'字'.repeat(2_800)}`,
    (blocks) => {
      const [items = []] = richTextArrays(blocks);
      expect(contents(items).join('').length).toBe(1_980 + 200 + 2_800);
      expect(
        items.filter((item) => item.annotations?.bold).map((item) => ('text' in item ? item.text.content : '')),
      ).toEqual(['粗体'.repeat(100)]);
      expect(items.every((item) => 'text' in item && item.text.content.length <= 2_000)).toBe(true);
    },
  ],
  [
    'a 5,000-character paragraph splits at spaces',
    () => Array.from({ length: 1_000 }, (_, i) => `w${i % 10}rd`).join(' '),
    (blocks) => {
      const [items = []] = richTextArrays(blocks);
      expect(items.length).toBe(3);
      expect(
        contents(items)
          .slice(0, -1)
          .every((piece) => piece.endsWith(' ')),
      ).toBe(true);
    },
  ],
  [
    'a heading over 2,000 characters',
    () => `## ${'long '.repeat(500)}`,
    (blocks) => {
      expect(blocks[0]?.type).toBe('heading_2');
      expect(richTextToPlainText(richTextArrays(blocks)[0] ?? [])).toBe('long '.repeat(500).trim());
    },
  ],
  [
    'code longer than 2,000 characters splits at line ends in one block',
    () => `${FENCE}python\n${Array.from({ length: 300 }, (_, i) => `print("line ${i}")`).join('\n')}\n${FENCE}`,
    (blocks) => {
      expect(blocks.map((block) => block.type)).toEqual(['code']);
      const [items = []] = richTextArrays(blocks);
      expect(items.length).toBeGreaterThan(1);
      expect(
        contents(items)
          .slice(0, -1)
          .every((piece) => piece.endsWith('\n')),
      ).toBe(true);
      expect(contents(items).join('')).toBe(Array.from({ length: 300 }, (_, i) => `print("line ${i}")`).join('\n'));
    },
  ],
  [
    'code past 100 items continues in another block of the same language',
    () => `${FENCE}go\n${'x := 1 // '.repeat(25_000)}\n${FENCE}`,
    (blocks) => {
      expect(blocks.length).toBe(2);
      expect(blocks.every((block) => block.type === 'code' && block.code.language === 'go')).toBe(true);
      expect(richTextArrays(blocks).map(contents).flat().join('')).toBe('x := 1 // '.repeat(25_000));
    },
  ],
  [
    'a table of 150 rows keeps them all',
    () => `| n | square |\n|---|---|\n${Array.from({ length: 150 }, (_, i) => `| ${i} | ${i * i} |`).join('\n')}`,
    (blocks) => {
      const rows = blockChildren(blocks[0]!);
      expect(rows).toHaveLength(151);
      expect(outline([rows[150]!])).toEqual(['row: 149 | 22201']);
    },
  ],
  [
    'a cell with 150 formatting runs keeps all its text within 100 items',
    () => `| c |\n|---|\n| ${Array.from({ length: 150 }, (_, i) => (i % 2 ? `**b${i}**` : `p${i}`)).join(' ')} |`,
    (blocks) => {
      const rows = blockChildren(blocks[0]!);
      const cell = rows[1]?.type === 'table_row' ? (rows[1].table_row.cells[0] ?? []) : [];
      expect(cell.length).toBeLessThanOrEqual(100);
      expect(richTextToPlainText(cell)).toBe(
        Array.from({ length: 150 }, (_, i) => (i % 2 ? `b${i}` : `p${i}`)).join(' '),
      );
      expect(cell[0]?.annotations).toBeUndefined();
      expect(cell[1]?.annotations).toEqual({ bold: true });
    },
  ],
  [
    'a paragraph of 150 formatting runs continues in another paragraph',
    () => Array.from({ length: 150 }, (_, i) => (i % 2 ? `**${'b'.repeat(50)}**` : 'p'.repeat(50))).join(''),
    (blocks) => {
      expect(blocks.map((block) => block.type)).toEqual(['paragraph', 'paragraph']);
      expect(richTextArrays(blocks).map((items) => items.length)).toEqual([100, 50]);
    },
  ],
  [
    'a document of 350 blocks',
    () => Array.from({ length: 70 }, (_, i) => `## Part ${i}\n\nText ${i}.\n\n- a\n- b\n\n---`).join('\n\n'),
    (blocks) => {
      expect(blocks).toHaveLength(350);
      expect(outline(blocks.slice(0, 5))).toEqual([
        'heading_2: Part 0',
        'paragraph: Text 0.',
        'bulleted_list_item: a',
        'bulleted_list_item: b',
        'divider',
      ]);
    },
  ],
  [
    'lists nested to depth 6, 120 items wide at the top',
    () =>
      Array.from(
        { length: 120 },
        (_, i) => `- top ${i}\n  - 2\n    - 3\n      - 4\n        - 5\n          - 6 of ${i}`,
      ).join('\n'),
    (blocks) => {
      expect(blocks).toHaveLength(120);
      expect(depthOf(blocks)).toBe(6);
      expect(allBlocks(blocks)).toHaveLength(720);
    },
  ],
  [
    'the long fixture answer',
    () => readFileSync(new URL('./fixtures/long-answer.md', import.meta.url), 'utf8'),
    (blocks) => {
      expect(blocks.length).toBe(250);
    },
  ],
];

const paragraph = (content: string): BlockTree => ({
  type: 'paragraph',
  paragraph: { rich_text: [{ type: 'text', text: { content } }] },
});

describe('the fidelity corpus', () => {
  for (const [group, cases] of Object.entries(CASES)) {
    describe(group, () => {
      it.each(cases)('%s', async (_name, markdown, expected, options) => {
        const blocks = markdownToBlocks(markdown, options);
        expect(outline(blocks)).toEqual(expected);
        expect((await writeChecked(blocks)).refusal).toBeUndefined();
      });
    });
  }

  describe('long and deep answers', () => {
    it.each(GENERATED)('%s', async (_name, markdown, check) => {
      const blocks = markdownToBlocks(markdown());
      check(blocks);
      expect((await writeChecked(blocks)).refusal).toBeUndefined();
    });
  });

  it('holds at least 150 cases', () => {
    const count = Object.values(CASES).reduce((sum, cases) => sum + cases.length, 0) + GENERATED.length;
    expect(count).toBeGreaterThanOrEqual(150);
  });

  it("checks code languages against the SDK's own list (the sandbox refuses the same ones)", () => {
    // code-languages.ts holds NOTION_LANGUAGES equal to the SDK's union at compile time.
    expect(CODE_LANGUAGES.toSorted()).toEqual(NOTION_LANGUAGES.toSorted());
  });

  it('the checker refuses what Notion refuses', () => {
    expect(() => checkAppend({ children: Array.from({ length: 101 }, () => paragraph('x')) })).toThrow(/100/);
    expect(() => checkAppend({ children: [paragraph('x'.repeat(2_001))] })).toThrow(/2000/);
    expect(() =>
      checkAppend({
        children: [
          {
            type: 'paragraph',
            paragraph: { rich_text: [{ type: 'text', text: { content: 'c', link: { url: 'tel:+1' } } }] },
          },
        ],
      }),
    ).toThrow(/Invalid URL/);
    expect(() => checkAppend({ children: [{ type: 'code', code: { rich_text: [], language: 'ts' } }] })).toThrow(
      /language/,
    );
    const deep = (depth: number): BlockTree =>
      depth === 0
        ? paragraph('leaf')
        : ({ type: 'toggle', toggle: { rich_text: [], children: [deep(depth - 1)] } } as BlockTree);
    expect(() => checkAppend({ children: [deep(3)] })).toThrow(/children/);
    expect(() => checkAppend({ children: [paragraph('x')], after: 'abc' })).toThrow(/after/);
  });
});
