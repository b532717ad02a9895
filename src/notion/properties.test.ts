import type { RichTextItemResponse } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { NOTION_TEXT_MAX_CHARS } from './limits';
import { coerceAnswer, updateBody, type Coerced } from './property-answers';
import { isEmptyValue, propertyText, type PropertyValue } from './properties';
import { toRequestValue } from './property-cells';
import {
  isWritableOutput,
  WRITABLE_OUTPUT_TYPES,
  type OutputSpec,
  type PropertyRequestValue,
} from '../shared/notion-shapes';

// ---- Response values built by hand, as apis.md §1.5 shows them ----

const PLAIN = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
} as const;

function text(content: string, opts: { bold?: boolean; link?: string; href?: string } = {}): RichTextItemResponse {
  return {
    type: 'text',
    text: { content, link: opts.link ? { url: opts.link } : null },
    annotations: { ...PLAIN, bold: opts.bold ?? false },
    plain_text: content,
    href: opts.href ?? opts.link ?? null,
  };
}

const title = (...items: RichTextItemResponse[]): PropertyValue => ({ id: 'title', type: 'title', title: items });
const richText = (...items: RichTextItemResponse[]): PropertyValue => ({
  id: 'a%3Bc',
  type: 'rich_text',
  rich_text: items,
});
const number = (n: number | null): PropertyValue => ({ id: 'n', type: 'number', number: n });
const select = (name: string | null): PropertyValue => ({
  id: 's',
  type: 'select',
  select: name === null ? null : { id: 'o1', name, color: 'blue' },
});
const status = (name: string | null): PropertyValue => ({
  id: 'st',
  type: 'status',
  status: name === null ? null : { id: 'o2', name, color: 'green' },
});
const multi = (...names: string[]): PropertyValue => ({
  id: 'm',
  type: 'multi_select',
  multi_select: names.map((name, i) => ({ id: `o${i}`, name, color: 'red' as const })),
});
const date = (start: string | null, end: string | null = null, time_zone: string | null = null): PropertyValue => ({
  id: 'd',
  type: 'date',
  date: start === null ? null : { start, end, time_zone },
});
const checkbox = (checked: boolean): PropertyValue => ({ id: 'c', type: 'checkbox', checkbox: checked });
const url = (u: string | null): PropertyValue => ({ id: 'u', type: 'url', url: u });
const email = (e: string | null): PropertyValue => ({ id: 'e', type: 'email', email: e });
const phone = (p: string | null): PropertyValue => ({ id: 'p', type: 'phone_number', phone_number: p });

const USER = { object: 'user', id: 'u1', name: 'Ada Lovelace', avatar_url: null, type: 'person', person: {} } as const;

describe('WRITABLE_OUTPUT_TYPES and isWritableOutput', () => {
  it('offers the eleven writable types and nothing computed or hard to generate', () => {
    expect(WRITABLE_OUTPUT_TYPES).toEqual([
      'title',
      'rich_text',
      'select',
      'status',
      'multi_select',
      'number',
      'checkbox',
      'date',
      'url',
      'email',
      'phone_number',
    ]);
    expect(isWritableOutput({ id: 'x', name: 'Summary', type: 'rich_text' })).toBe(true);
    expect(isWritableOutput({ id: 'x', name: 'Stage', type: 'status', options: [{ name: 'Done' }] })).toBe(true);
    for (const type of [
      'formula',
      'rollup',
      'created_time',
      'created_by',
      'last_edited_time',
      'last_edited_by',
      'unique_id',
      'button',
      'verification',
      'people',
      'files',
      'relation',
    ]) {
      expect(isWritableOutput({ id: 'x', name: 'X', type })).toBe(false);
    }
  });
});

describe('propertyText', () => {
  it('reads title and rich text as their plain text', () => {
    expect(propertyText(title(text('Learning '), text('is fun', { bold: true })))).toBe('Learning is fun');
    expect(propertyText(richText(text('See '), text('docs', { link: 'https://a.com' })))).toBe('See docs');
    expect(propertyText(richText())).toBe('');
  });

  it('writes numbers as written, without exponents for ordinary numbers', () => {
    expect(propertyText(number(42))).toBe('42');
    expect(propertyText(number(-3.25))).toBe('-3.25');
    expect(propertyText(number(0))).toBe('0');
    expect(propertyText(number(1_234_567_890_123))).toBe('1234567890123');
    expect(propertyText(number(0.000_5))).toBe('0.0005');
    expect(propertyText(number(null))).toBe('');
  });

  it('reads select and status by name, multi-select names joined', () => {
    expect(propertyText(select('Urgent'))).toBe('Urgent');
    expect(propertyText(select(null))).toBe('');
    expect(propertyText(status('In progress'))).toBe('In progress');
    expect(propertyText(multi('a', 'b', 'c'))).toBe('a, b, c');
    expect(propertyText(multi())).toBe('');
  });

  it('reads dates and ranges, keeping datetimes as given', () => {
    expect(propertyText(date('2026-01-15'))).toBe('2026-01-15');
    expect(propertyText(date('2026-01-15', '2026-01-20'))).toBe('2026-01-15 → 2026-01-20');
    expect(propertyText(date('2026-01-15T09:30:00.000+02:00'))).toBe('2026-01-15T09:30:00.000+02:00');
    expect(propertyText(date(null))).toBe('');
  });

  it('reads checkbox, url, email and phone', () => {
    expect(propertyText(checkbox(true))).toBe('Yes');
    expect(propertyText(checkbox(false))).toBe('No');
    expect(propertyText(url('https://example.com/a'))).toBe('https://example.com/a');
    expect(propertyText(email('ada@example.com'))).toBe('ada@example.com');
    expect(propertyText(phone('+44 20 7946 0000'))).toBe('+44 20 7946 0000');
    expect(propertyText(url(null))).toBe('');
  });

  it('reads people by name, or "a person" when only the id came back', () => {
    const people: PropertyValue = { id: 'pp', type: 'people', people: [USER, { object: 'user', id: 'u2' }] };
    expect(propertyText(people)).toBe('Ada Lovelace, a person');
  });

  it('reads files by name and relations as a count', () => {
    const files: PropertyValue = {
      id: 'f',
      type: 'files',
      files: [
        { name: 'brief.pdf', type: 'external', external: { url: 'https://a.com/brief.pdf' } },
        { name: 'photo.png', type: 'file', file: { url: 'https://s3/x', expiry_time: '2026-01-01T00:00:00.000Z' } },
      ],
    };
    expect(propertyText(files)).toBe('brief.pdf, photo.png');
    expect(propertyText({ id: 'r', type: 'relation', relation: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }] })).toBe(
      '3 linked pages',
    );
    expect(propertyText({ id: 'r', type: 'relation', relation: [{ id: 'p1' }] })).toBe('1 linked page');
    expect(propertyText({ id: 'r', type: 'relation', relation: [] })).toBe('');
    // The page object stops at 25 references and says so.
    const capped = {
      id: 'r',
      type: 'relation',
      relation: Array.from({ length: 25 }, (_, i) => ({ id: `p${i}` })),
      has_more: true,
    } as PropertyValue;
    expect(propertyText(capped)).toBe('25+ linked pages');
  });

  it('reads each kind of formula result', () => {
    expect(propertyText({ id: 'fx', type: 'formula', formula: { type: 'string', string: 'High' } })).toBe('High');
    expect(propertyText({ id: 'fx', type: 'formula', formula: { type: 'number', number: 7.5 } })).toBe('7.5');
    expect(propertyText({ id: 'fx', type: 'formula', formula: { type: 'boolean', boolean: true } })).toBe('Yes');
    expect(
      propertyText({
        id: 'fx',
        type: 'formula',
        formula: { type: 'date', date: { start: '2026-03-01', end: null, time_zone: null } },
      }),
    ).toBe('2026-03-01');
    expect(propertyText({ id: 'fx', type: 'formula', formula: { type: 'string', string: null } })).toBe('');
  });

  it('reads rollups: number, date, and arrays recursively', () => {
    expect(propertyText({ id: 'ru', type: 'rollup', rollup: { type: 'number', number: 12, function: 'sum' } })).toBe(
      '12',
    );
    expect(
      propertyText({
        id: 'ru',
        type: 'rollup',
        rollup: {
          type: 'date',
          date: { start: '2026-01-01', end: '2026-02-01', time_zone: null },
          function: 'date_range',
        },
      }),
    ).toBe('2026-01-01 → 2026-02-01');
    const array: PropertyValue = {
      id: 'ru',
      type: 'rollup',
      rollup: {
        type: 'array',
        function: 'show_original',
        array: [
          { type: 'title', title: [text('Alpha')] },
          { type: 'title', title: [] },
          { type: 'multi_select', multi_select: [{ id: 'x', name: 'x', color: 'red' }] },
          { type: 'number', number: 3 },
        ],
      },
    };
    expect(propertyText(array)).toBe('Alpha, x, 3');
  });

  it('reads created/edited times and people, and unique ids with or without prefix', () => {
    expect(propertyText({ id: 'ct', type: 'created_time', created_time: '2026-01-15T10:00:00.000Z' })).toBe(
      '2026-01-15T10:00:00.000Z',
    );
    expect(propertyText({ id: 'et', type: 'last_edited_time', last_edited_time: '2026-01-16T10:00:00.000Z' })).toBe(
      '2026-01-16T10:00:00.000Z',
    );
    expect(propertyText({ id: 'cb', type: 'created_by', created_by: USER })).toBe('Ada Lovelace');
    expect(propertyText({ id: 'eb', type: 'last_edited_by', last_edited_by: { object: 'user', id: 'u9' } })).toBe(
      'a person',
    );
    expect(propertyText({ id: 'id', type: 'unique_id', unique_id: { prefix: 'TASK', number: 12 } })).toBe('TASK-12');
    expect(propertyText({ id: 'id', type: 'unique_id', unique_id: { prefix: null, number: 12 } })).toBe('12');
  });

  it('gives "" for nothing, buttons and types it does not know', () => {
    expect(propertyText(undefined)).toBe('');
    expect(propertyText({ id: 'b', type: 'button', button: {} })).toBe('');
    expect(propertyText({ id: 'z', type: 'some_future_type' } as unknown as PropertyValue)).toBe('');
  });
});

describe('isEmptyValue', () => {
  it('is true for empty cells of every kind', () => {
    for (const value of [
      undefined,
      title(),
      richText(text('   ')),
      select(null),
      status(null),
      multi(),
      number(null),
      date(null),
      url(null),
      email(null),
      phone(null),
    ]) {
      expect(isEmptyValue(value)).toBe(true);
    }
    expect(isEmptyValue({ id: 'r', type: 'relation', relation: [] })).toBe(true);
  });

  it('is false for filled cells, including the number 0', () => {
    for (const value of [
      title(text('Hi')),
      select('A'),
      multi('a'),
      number(0),
      date('2026-01-01'),
      url('https://a.com'),
      checkbox(true),
    ]) {
      expect(isEmptyValue(value)).toBe(false);
    }
  });

  it('treats an unticked checkbox as empty', () => {
    expect(isEmptyValue(checkbox(false))).toBe(true);
  });
});

describe('toRequestValue', () => {
  it('keeps bold and links in rich text, dropping default annotations', () => {
    const value = richText(text('Read '), text('the docs', { bold: true, link: 'https://example.com/docs' }));
    expect(toRequestValue(value)).toEqual({
      rich_text: [
        { type: 'text', text: { content: 'Read ' } },
        {
          type: 'text',
          text: { content: 'the docs', link: { url: 'https://example.com/docs' } },
          annotations: { bold: true },
        },
      ],
    });
  });

  it('turns relative Notion page links into absolute ones Notion accepts back', () => {
    const value = title(
      text('See page', {
        link: '/0123456789abcdef0123456789abcdef',
        href: 'https://www.notion.so/0123456789abcdef0123456789abcdef',
      }),
    );
    expect(toRequestValue(value)).toEqual({
      title: [
        {
          type: 'text',
          text: { content: 'See page', link: { url: 'https://www.notion.so/0123456789abcdef0123456789abcdef' } },
        },
      ],
    });
  });

  it('keeps mentions and equations as request items, and link mentions as links', () => {
    const items: RichTextItemResponse[] = [
      {
        type: 'mention',
        mention: { type: 'user', user: USER },
        annotations: { ...PLAIN, italic: true },
        plain_text: '@Ada Lovelace',
        href: null,
      },
      {
        type: 'mention',
        mention: { type: 'page', page: { id: 'p1' } },
        annotations: PLAIN,
        plain_text: 'Plan',
        href: 'https://www.notion.so/p1',
      },
      {
        type: 'mention',
        mention: { type: 'date', date: { start: '2026-01-15', end: null, time_zone: null } },
        annotations: PLAIN,
        plain_text: 'Jan 15',
        href: null,
      },
      {
        type: 'equation',
        equation: { expression: 'E=mc^2' },
        annotations: { ...PLAIN, color: 'red' },
        plain_text: 'E=mc^2',
        href: null,
      },
      {
        type: 'mention',
        mention: { type: 'link_mention', link_mention: { href: 'https://github.com/x/y' } },
        annotations: PLAIN,
        plain_text: 'x/y',
        href: 'https://github.com/x/y',
      },
    ];
    expect(toRequestValue(richText(...items))).toEqual({
      rich_text: [
        { type: 'mention', mention: { type: 'user', user: { id: 'u1' } }, annotations: { italic: true } },
        { type: 'mention', mention: { type: 'page', page: { id: 'p1' } } },
        { type: 'mention', mention: { type: 'date', date: { start: '2026-01-15', end: null, time_zone: null } } },
        { type: 'equation', equation: { expression: 'E=mc^2' }, annotations: { color: 'red' } },
        { type: 'text', text: { content: 'x/y', link: { url: 'https://github.com/x/y' } } },
      ],
    });
  });

  it('writes every other writable type back in request form, null for empty', () => {
    const cases: Array<[PropertyValue, PropertyRequestValue]> = [
      [title(text('Hi')), { title: [{ type: 'text', text: { content: 'Hi' } }] }],
      [title(), { title: [] }],
      [select('Urgent'), { select: { name: 'Urgent' } }],
      [select(null), { select: null }],
      [status('Done'), { status: { name: 'Done' } }],
      [status(null), { status: null }],
      [multi('a', 'b'), { multi_select: [{ name: 'a' }, { name: 'b' }] }],
      [multi(), { multi_select: [] }],
      [number(42), { number: 42 }],
      [number(null), { number: null }],
      [checkbox(true), { checkbox: true }],
      [checkbox(false), { checkbox: false }],
      [
        date('2026-02-01T09:00:00.000+02:00', null, 'Europe/Paris'),
        { date: { start: '2026-02-01T09:00:00.000+02:00', end: null, time_zone: 'Europe/Paris' } },
      ],
      [date('2026-01-15', '2026-01-20'), { date: { start: '2026-01-15', end: '2026-01-20', time_zone: null } }],
      [date(null), { date: null }],
      [url('https://example.com'), { url: 'https://example.com' }],
      [url(null), { url: null }],
      [email('a@b.co'), { email: 'a@b.co' }],
      [email(null), { email: null }],
      [phone('+1 555 0100'), { phone_number: '+1 555 0100' }],
      [phone(null), { phone_number: null }],
    ];
    for (const [value, request] of cases) expect(toRequestValue(value)).toEqual(request);
  });

  it('refuses read-only types', () => {
    expect(() => toRequestValue({ id: 'fx', type: 'formula', formula: { type: 'string', string: 'x' } })).toThrow(
      /formula/,
    );
  });
});

// ---- Answers ----

const spec = (type: string, extra: Partial<OutputSpec> = {}): OutputSpec => ({
  id: `id-${type}`,
  name: extra.name ?? 'Output',
  type,
  ...extra,
});
const category = spec('select', { name: 'Category', options: ['Red', 'Green'] });

function ok(result: Coerced): PropertyRequestValue {
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.request;
}
function reason(result: Coerced): string {
  if (result.ok) throw new Error(`expected a reason, got: ${JSON.stringify(result.request)}`);
  return result.reason;
}

describe('coerceAnswer: text', () => {
  it('writes short text as one item, trimmed; numbers and booleans as text', () => {
    expect(ok(coerceAnswer(spec('rich_text'), '  学ぶことは楽しい \n'))).toEqual({
      rich_text: [{ type: 'text', text: { content: '学ぶことは楽しい' } }],
    });
    expect(ok(coerceAnswer(spec('title'), 42))).toEqual({ title: [{ type: 'text', text: { content: '42' } }] });
    expect(ok(coerceAnswer(spec('rich_text'), false))).toEqual({
      rich_text: [{ type: 'text', text: { content: 'false' } }],
    });
  });

  it('allows an empty string, which clears the cell', () => {
    expect(coerceAnswer(spec('rich_text'), '')).toEqual({ ok: true, request: { rich_text: [] } });
  });

  it('splits 5,000 characters into 3 items of at most 2,000', () => {
    const result = coerceAnswer(spec('rich_text'), 'x'.repeat(5_000));
    const request = ok(result) as { rich_text: Array<{ text: { content: string } }> };
    expect(request.rich_text.map((i) => i.text.content.length)).toEqual([2_000, 2_000, 1_000]);
    expect(result.ok && result.note).toBeUndefined();
  });

  it('cuts 250,000 characters to 100 items and says so', () => {
    const result = coerceAnswer(spec('rich_text', { name: 'Notes' }), 'y'.repeat(250_000));
    const request = ok(result) as { rich_text: Array<{ text: { content: string } }> };
    expect(request.rich_text).toHaveLength(100);
    expect(request.rich_text.every((i) => i.text.content.length <= NOTION_TEXT_MAX_CHARS)).toBe(true);
    expect(result.ok && result.note).toBe(
      "Text was cut to 200,000 of 250,000 characters (Notion's limit for a property is 200,000).",
    );
  });

  it('rejects objects and arrays', () => {
    expect(reason(coerceAnswer(spec('rich_text', { name: 'Summary' }), { a: 1 }))).toBe(
      'The model answered {"a":1} for “Summary”, which is not text.',
    );
  });

  it('says which column got no value', () => {
    expect(reason(coerceAnswer(spec('rich_text', { name: 'Summary' }), undefined))).toBe(
      'The model gave no value for “Summary”.',
    );
    expect(reason(coerceAnswer(category, null))).toBe('The model gave no value for “Category”.');
  });
});

describe('coerceAnswer: select and status', () => {
  it('takes an existing option exactly, or by case and spaces in its own spelling', () => {
    expect(ok(coerceAnswer(category, 'Red'))).toEqual({ select: { name: 'Red' } });
    expect(ok(coerceAnswer(category, '  green '))).toEqual({ select: { name: 'Green' } });
  });

  it('rejects a name that is not an option, listing the options', () => {
    expect(reason(coerceAnswer(category, 'Purple'))).toBe(
      'The model answered “Purple” for “Category”, which is not one of its options (Red, Green).',
    );
  });

  it('adds a new select option only when allowed', () => {
    const open = { ...category, allowNewOptions: true };
    expect(ok(coerceAnswer(open, ' Purple '))).toEqual({ select: { name: 'Purple' } });
  });

  it('never adds a new option with a comma', () => {
    const open = { ...category, allowNewOptions: true };
    expect(reason(coerceAnswer(open, 'High, really'))).toBe(
      'The model answered “High, really” for “Category”, which is not one of its options (Red, Green), and Notion doesn’t allow commas in option names.',
    );
  });

  it('adds nothing to a column that already has 100 options', () => {
    const options = Array.from({ length: 100 }, (_, i) => `Option ${i + 1}`);
    const full = spec('select', { name: 'Kind', options, allowNewOptions: true });
    expect(ok(coerceAnswer(full, 'option 7'))).toEqual({ select: { name: 'Option 7' } });
    const why = reason(coerceAnswer(full, 'Brand new'));
    expect(why).toContain('already has 100 options');
    expect(why).toContain('Option 20 and 80 more');
  });

  it('rejects an option name over 100 characters', () => {
    const open = { ...category, allowNewOptions: true };
    expect(reason(coerceAnswer(open, 'z'.repeat(101)))).toContain('too long for an option');
  });

  it('never adds a status option, even when new options are allowed', () => {
    const stage = spec('status', {
      name: 'Stage',
      options: ['Not started', 'In progress', 'Done'],
      allowNewOptions: true,
    });
    expect(ok(coerceAnswer(stage, 'done'))).toEqual({ status: { name: 'Done' } });
    expect(reason(coerceAnswer(stage, 'Blocked'))).toBe(
      'The model answered “Blocked” for “Stage”, which is not one of its options (Not started, In progress, Done).',
    );
  });

  it('reads a number answer as an option name', () => {
    expect(ok(coerceAnswer(spec('select', { options: ['1', '2', '3'] }), 2))).toEqual({ select: { name: '2' } });
  });
});

describe('coerceAnswer: multi_select', () => {
  const tags = spec('multi_select', { name: 'Tags', options: ['News', 'Tech', 'Science'] });

  it('takes an array or a comma-separated string, matching spellings and dropping duplicates', () => {
    expect(ok(coerceAnswer(tags, ['tech', 'News', 'TECH']))).toEqual({
      multi_select: [{ name: 'Tech' }, { name: 'News' }],
    });
    expect(ok(coerceAnswer(tags, 'science, news'))).toEqual({ multi_select: [{ name: 'Science' }, { name: 'News' }] });
    expect(ok(coerceAnswer(tags, []))).toEqual({ multi_select: [] });
  });

  it('applies the select rule to each value', () => {
    expect(reason(coerceAnswer(tags, ['News', 'Sports']))).toBe(
      'The model answered “Sports” for “Tags”, which is not one of its options (News, Tech, Science).',
    );
    const open = { ...tags, allowNewOptions: true };
    expect(ok(coerceAnswer(open, ['News', 'Sports', 'sports']))).toEqual({
      multi_select: [{ name: 'News' }, { name: 'Sports' }],
    });
  });

  it('counts new values toward the 100-option limit', () => {
    const options = Array.from({ length: 99 }, (_, i) => `T${i}`);
    const open = spec('multi_select', { name: 'Tags', options, allowNewOptions: true });
    expect(ok(coerceAnswer(open, ['New one']))).toEqual({ multi_select: [{ name: 'New one' }] });
    expect(reason(coerceAnswer(open, ['New one', 'New two']))).toBe(
      'The model answered “New two” for “Tags”, which is not one of its options (T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19 and 79 more), and the column has 99 options and this answer adds 2 (101 in all); Notion allows at most 100, so no more are added.',
    );
  });

  it('counts duplicates once toward the 100-value limit', () => {
    const options = Array.from({ length: 100 }, (_, i) => `T${i}`);
    const result = coerceAnswer(spec('multi_select', { name: 'Tags', options }), [
      ...options,
      ...options.map((o) => o.toLowerCase()),
    ]);
    expect((ok(result) as { multi_select: unknown[] }).multi_select).toHaveLength(100);
    expect(result.ok && result.note).toBeUndefined();
  });

  it('keeps the first 100 values of a longer answer, with a note', () => {
    // Columns made in Notion's UI can hold more than 100 options; a request can carry only 100.
    const options = Array.from({ length: 150 }, (_, i) => `T${i}`);
    const result = coerceAnswer(spec('multi_select', { name: 'Tags', options }), options.slice(0, 120));
    const request = ok(result) as { multi_select: Array<{ name: string }> };
    expect(request.multi_select).toHaveLength(100);
    expect(request.multi_select.at(-1)).toEqual({ name: 'T99' });
    expect(result.ok && result.note).toBe("Only the first 100 of 120 values were kept for “Tags” (Notion's limit).");
  });

  it('rejects answers that are not names', () => {
    expect(reason(coerceAnswer(tags, [{ name: 'News' }]))).toBe(
      'The model answered [{"name":"News"}] for “Tags”, which is not a list of options.',
    );
  });
});

describe('coerceAnswer: number', () => {
  const score = spec('number', { name: 'Score' });
  it('takes finite numbers and plain numeric strings with thousands separators', () => {
    expect(ok(coerceAnswer(score, 7))).toEqual({ number: 7 });
    expect(ok(coerceAnswer(score, '1,234.5'))).toEqual({ number: 1234.5 });
    expect(ok(coerceAnswer(score, ' -42 '))).toEqual({ number: -42 });
    expect(ok(coerceAnswer(score, '.5'))).toEqual({ number: 0.5 });
  });

  it('rejects units, misplaced separators, words and non-finite numbers', () => {
    expect(reason(coerceAnswer(score, '42 kg'))).toBe('The model answered “42 kg” for “Score”, which is not a number.');
    for (const bad of [
      '12,34',
      'about 3',
      '',
      '-',
      'e5',
      '$',
      '1 2',
      '3-4',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
    ]) {
      expect(coerceAnswer(score, bad).ok).toBe(false);
    }
  });
});

describe('coerceAnswer: checkbox', () => {
  const done = spec('checkbox', { name: 'Done' });
  it('takes booleans and yes/no/true/false words', () => {
    expect(ok(coerceAnswer(done, true))).toEqual({ checkbox: true });
    expect(ok(coerceAnswer(done, 'Yes'))).toEqual({ checkbox: true });
    expect(ok(coerceAnswer(done, ' FALSE '))).toEqual({ checkbox: false });
    expect(ok(coerceAnswer(done, 'no'))).toEqual({ checkbox: false });
  });
  it('rejects anything else', () => {
    expect(reason(coerceAnswer(done, 'maybe'))).toBe('The model answered “maybe” for “Done”, which is not yes or no.');
    expect(coerceAnswer(done, 2).ok).toBe(false);
  });
});

describe('coerceAnswer: date', () => {
  const due = spec('date', { name: 'Due' });
  it('takes real dates and ISO datetimes with an offset', () => {
    expect(ok(coerceAnswer(due, '2026-02-28'))).toEqual({ date: { start: '2026-02-28', end: null, time_zone: null } });
    expect(ok(coerceAnswer(due, '2028-02-29'))).toEqual({ date: { start: '2028-02-29', end: null, time_zone: null } });
    expect(ok(coerceAnswer(due, '2026-02-01T09:00:00+02:00'))).toEqual({
      date: { start: '2026-02-01T09:00:00+02:00', end: null, time_zone: null },
    });
    expect(ok(coerceAnswer(due, '2026-02-01T09:00:00.000Z'))).toEqual({
      date: { start: '2026-02-01T09:00:00.000Z', end: null, time_zone: null },
    });
  });

  it('takes a range written as propertyText writes one', () => {
    expect(ok(coerceAnswer(due, '2026-01-15 → 2026-01-20'))).toEqual({
      date: { start: '2026-01-15', end: '2026-01-20', time_zone: null },
    });
  });

  it('rejects impossible dates, datetimes without an offset and prose', () => {
    expect(reason(coerceAnswer(due, '2026-02-30'))).toBe(
      'The model answered “2026-02-30” for “Due”, which is not a date like 2026-01-31.',
    );
    for (const bad of [
      '2027-02-29',
      '2026-13-01',
      '2026-1-5',
      '2026-02-01T25:00:00Z',
      '2026-02-01T09:00:00',
      'next Tuesday',
      20260201,
    ]) {
      expect(coerceAnswer(due, bad).ok).toBe(false);
    }
  });
});

describe('coerceAnswer: url, email, phone', () => {
  it('takes absolute http(s) and mailto URLs only', () => {
    const link = spec('url', { name: 'Link' });
    expect(ok(coerceAnswer(link, ' https://example.com/a?b=1 '))).toEqual({ url: 'https://example.com/a?b=1' });
    expect(ok(coerceAnswer(link, 'mailto:ada@example.com'))).toEqual({ url: 'mailto:ada@example.com' });
    expect(reason(coerceAnswer(link, '/docs/intro'))).toBe(
      'The model answered “/docs/intro” for “Link”, which is not a full web address (like https://example.com).',
    );
    expect(coerceAnswer(link, 'tel:+15550100').ok).toBe(false);
    expect(coerceAnswer(link, 'example.com').ok).toBe(false);
    expect(coerceAnswer(link, `https://example.com/${'a'.repeat(2_000)}`).ok).toBe(false);
  });

  it('takes simple email addresses up to 200 characters', () => {
    const mail = spec('email', { name: 'Email' });
    expect(ok(coerceAnswer(mail, 'ada@example.com'))).toEqual({ email: 'ada@example.com' });
    expect(reason(coerceAnswer(mail, 'ada at example'))).toBe(
      'The model answered “ada at example” for “Email”, which is not an email address.',
    );
    expect(coerceAnswer(mail, `${'a'.repeat(195)}@b.com`).ok).toBe(false);
  });

  it('takes phone numbers with digits up to 200 characters', () => {
    const tel = spec('phone_number', { name: 'Phone' });
    expect(ok(coerceAnswer(tel, '+44 (20) 7946-0000'))).toEqual({ phone_number: '+44 (20) 7946-0000' });
    expect(reason(coerceAnswer(tel, 'unknown'))).toBe(
      'The model answered “unknown” for “Phone”, which is not a phone number.',
    );
    expect(coerceAnswer(tel, '1'.repeat(201)).ok).toBe(false);
  });

  it('refuses column types that are not outputs', () => {
    expect(reason(coerceAnswer(spec('people', { name: 'Owner' }), 'Ada'))).toBe(
      'Inkling can’t write answers into “Owner”, a people property.',
    );
  });
});

describe('updateBody', () => {
  it('keys each value by property id', () => {
    const body = updateBody([
      {
        spec: spec('rich_text', { id: 'a%3Bc', name: 'Notes' }),
        request: { rich_text: [{ type: 'text', text: { content: 'Hi' } }] },
      },
      { spec: category, request: { select: { name: 'Red' } } },
    ]);
    expect(body).toEqual({
      'a%3Bc': { rich_text: [{ type: 'text', text: { content: 'Hi' } }] },
      'id-select': { select: { name: 'Red' } },
    });
  });
});
