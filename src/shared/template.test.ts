import { describe, expect, it } from 'vitest';
import { applySuggestion, checkTemplate, PAGE_PLACEHOLDER, renderTemplate, suggestAt } from './template';

const NAMES = ['Topic', 'Output', 'Due date', 'Status 🚦', 'Notes (internal)'];

describe('checkTemplate', () => {
  it('lists the canonical names used, in order, once each, with page', () => {
    const check = checkTemplate('Write about {{topic}} due {{ Due date }}; again {{Topic}} and {{page}}', NAMES);
    expect(check).toEqual({ references: ['Topic', 'Due date', PAGE_PLACEHOLDER], errors: [] });
  });

  it('accepts names with spaces, punctuation and emoji', () => {
    expect(checkTemplate('{{Status 🚦}} / {{Notes (internal)}}', NAMES).references).toEqual([
      'Status 🚦',
      'Notes (internal)',
    ]);
  });

  it('suggests the close name for a typo', () => {
    expect(checkTemplate('Translate {{Topik}}', NAMES).errors).toEqual([
      '{{Topik}} is not a property of this database. Did you mean {{Topic}}?',
    ]);
    expect(checkTemplate('{{Otuput}}', NAMES).errors).toEqual([
      '{{Otuput}} is not a property of this database. Did you mean {{Output}}?',
    ]);
  });

  it('suggests names that differ only in spaces or punctuation', () => {
    expect(checkTemplate('{{duedate}}', NAMES).errors).toEqual([
      '{{duedate}} is not a property of this database. Did you mean {{Due date}}?',
    ]);
  });

  it('suggests {{page}} for a misspelt page', () => {
    expect(checkTemplate('{{pgae}}', NAMES).errors).toEqual([
      '{{pgae}} is not a property of this database. Did you mean {{page}}?',
    ]);
  });

  it('lists the properties when nothing is close', () => {
    expect(checkTemplate('{{Author}}', NAMES).errors).toEqual([
      '{{Author}} is not a property of this database. Properties: Topic, Output, Due date, Status 🚦, Notes (internal).',
    ]);
    const many = Array.from({ length: 15 }, (_, i) => `Column ${i + 1}`);
    expect(checkTemplate('{{Zebra}}', many).errors[0]).toMatch(/Properties: Column 1, .*Column 12, …$/);
  });

  it('gives one error per unknown name', () => {
    expect(checkTemplate('{{Author}} {{Author}} {{ Author }}', NAMES).errors).toHaveLength(1);
  });

  it('reports an empty placeholder', () => {
    expect(checkTemplate('Hello {{}} and {{  }}', NAMES).errors).toEqual([
      '{{}} has no property name: write one between the braces, like {{Topic}}.',
    ]);
  });

  it('treats an unclosed {{ and an escaped \\{{ as plain text', () => {
    expect(checkTemplate('Use {{ like this', NAMES)).toEqual({ references: [], errors: [] });
    expect(checkTemplate('Literal \\{{Author}} here', NAMES)).toEqual({ references: [], errors: [] });
    expect(checkTemplate('Open {{ on one line\nthen {{Topic}}', NAMES).references).toEqual(['Topic']);
  });

  it('lets a column named "Page" shadow nothing but its own exact spelling', () => {
    expect(checkTemplate('{{Page}} {{page}}', ['Page']).references).toEqual(['Page', PAGE_PLACEHOLDER]);
  });
});

describe('renderTemplate', () => {
  const values = { Topic: 'Learning is fun', 'Due date': '2026-01-15', [PAGE_PLACEHOLDER]: '# Notes' };

  it('fills exact, case-insensitive and trimmed names', () => {
    expect(renderTemplate('Translate {{Topic}} / {{ topic }} / {{TOPIC}}', values, NAMES)).toBe(
      'Translate Learning is fun / Learning is fun / Learning is fun',
    );
  });

  it('fills {{ page }} with the page content', () => {
    expect(renderTemplate('Summarise:\n{{ page }}', values, NAMES)).toBe('Summarise:\n# Notes');
  });

  it('leaves unknown names as written and gives known names without a value ""', () => {
    expect(renderTemplate('{{Author}} wrote {{Output}}.', values, NAMES)).toBe('{{Author}} wrote .');
  });

  it('keeps escaped braces literal, without the backslash', () => {
    expect(renderTemplate('Write \\{{Topic}} then {{Topic}}', values, NAMES)).toBe(
      'Write {{Topic}} then Learning is fun',
    );
  });

  it('inserts values verbatim, even with $ patterns', () => {
    expect(renderTemplate('Price: {{Topic}}', { Topic: "$& $1 $'" }, NAMES)).toBe("Price: $& $1 $'");
  });

  it('keeps an unclosed {{ as text', () => {
    expect(renderTemplate('a {{ b', values, NAMES)).toBe('a {{ b');
  });
});

describe('suggestAt', () => {
  it('offers names that start with the partial first, then those containing it', () => {
    const template = 'Write about {{t';
    expect(suggestAt(template, template.length, NAMES)).toEqual({
      partial: 't',
      start: template.length - 1,
      names: ['Topic', 'Output', 'Due date', 'Status 🚦', 'Notes (internal)'],
    });
    const two = 'Write about {{s';
    expect(suggestAt(two, two.length, NAMES)?.names).toEqual(['Status 🚦', 'Notes (internal)']);
  });

  it('offers every name, and page, right after {{', () => {
    const template = 'Hi {{';
    expect(suggestAt(template, template.length, NAMES)).toEqual({
      partial: '',
      start: 5,
      names: [...NAMES, PAGE_PLACEHOLDER],
    });
  });

  it('skips leading spaces and matches case-insensitively', () => {
    const template = '{{  DUE';
    expect(suggestAt(template, template.length, NAMES)).toEqual({ partial: 'DUE', start: 4, names: ['Due date'] });
  });

  it('returns no names when nothing matches, and null outside a placeholder', () => {
    expect(suggestAt('{{zz', 4, NAMES)?.names).toEqual([]);
    expect(suggestAt('plain text', 5, NAMES)).toBeNull();
    expect(suggestAt('{{Topic}} and', 13, NAMES)).toBeNull();
    expect(suggestAt('\\{{To', 5, NAMES)).toBeNull();
    expect(suggestAt('{{To\nmore', 9, NAMES)).toBeNull();
  });

  it('works with the caret in the middle of the text', () => {
    const template = 'A {{Du and more';
    expect(suggestAt(template, 6, NAMES)).toEqual({ partial: 'Du', start: 4, names: ['Due date'] });
  });
});

describe('applySuggestion', () => {
  it('inserts the name and closes the braces, caret after them', () => {
    const template = 'Write about {{to and more';
    const suggestion = suggestAt(template, 16, NAMES)!;
    expect(applySuggestion(template, suggestion, 16, 'Topic')).toEqual({
      text: 'Write about {{Topic}} and more',
      caret: 21,
    });
  });

  it('replaces the rest of a placeholder that was already closed', () => {
    const template = 'A {{Du date}} b';
    const suggestion = suggestAt(template, 6, NAMES)!;
    expect(applySuggestion(template, suggestion, 6, 'Due date')).toEqual({ text: 'A {{Due date}} b', caret: 14 });
  });

  it('does not swallow a later placeholder', () => {
    const template = 'A {{To and {{Output}}';
    const suggestion = suggestAt(template, 6, NAMES)!;
    expect(applySuggestion(template, suggestion, 6, 'Topic').text).toBe('A {{Topic}} and {{Output}}');
  });
});
