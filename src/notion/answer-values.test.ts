// The typed half of the fidelity corpus: values models really write for number, checkbox, date, email
// and URL columns, each with the value Notion should get, or the reason a person reads when there is
// no safe reading.
import { describe, expect, it } from 'vitest';
import { coerceAnswer } from './property-answers';
import { type OutputSpec, type PropertyRequestValue } from '../shared/notion-shapes';

const column = (type: string, extra: Partial<OutputSpec> = {}): OutputSpec => ({
  id: `id-${type}`,
  name: extra.name ?? 'Value',
  type,
  ...extra,
});

const number = column('number', { name: 'Price' });
const percent = column('number', { name: 'Share', numberFormat: 'percent' });
const done = column('checkbox', { name: 'Done' });
const due = column('date', { name: 'Due' });
const email = column('email', { name: 'Email' });
const url = column('url', { name: 'Site' });
const phone = column('phone_number', { name: 'Phone' });

type Accepted = [answer: unknown, request: PropertyRequestValue];
const date = (start: string, end: string | null = null, time_zone: string | null = null): PropertyRequestValue => ({
  date: { start, end, time_zone },
});

const ACCEPTED: Record<string, [OutputSpec, Accepted[]]> = {
  numbers: [
    number,
    [
      [3, { number: 3 }],
      ['3', { number: 3 }],
      ['$3', { number: 3 }],
      ['$3.50', { number: 3.5 }],
      ['€1,234.5', { number: 1234.5 }],
      ['1,234.5', { number: 1234.5 }],
      ['1,234,567', { number: 1234567 }],
      ['-1.5e3', { number: -1500 }],
      ['2.5E-2', { number: 0.025 }],
      ['+7', { number: 7 }],
      ['−4', { number: -4 }],
      ['-$3', { number: -3 }],
      ['$-3', { number: -3 }],
      ['(1,200)', { number: -1200 }],
      ['USD 42', { number: 42 }],
      ['42 EUR', { number: 42 }],
      ['12%', { number: 12 }],
      ['.5', { number: 0.5 }],
      [' 19 ', { number: 19 }],
      ['£0.99', { number: 0.99 }],
    ],
  ],
  'numbers in a percent column': [
    percent,
    [
      ['12%', { number: 0.12 }],
      ['7%', { number: 0.07 }],
      ['12.5 %', { number: 0.125 }],
      ['100%', { number: 1 }],
      [0.12, { number: 0.12 }],
    ],
  ],
  checkboxes: [
    done,
    [
      [true, { checkbox: true }],
      [false, { checkbox: false }],
      ['yes', { checkbox: true }],
      ['No', { checkbox: false }],
      ['TRUE', { checkbox: true }],
      ['1', { checkbox: true }],
      ['0', { checkbox: false }],
      [1, { checkbox: true }],
      [0, { checkbox: false }],
      ['y', { checkbox: true }],
      ['Yes.', { checkbox: true }],
      ['✅', { checkbox: true }],
      ['[x]', { checkbox: true }],
      ['✔️', { checkbox: true }],
      ['☑️', { checkbox: true }],
      ['✖️', { checkbox: false }],
      ['unchecked', { checkbox: false }],
    ],
  ],
  dates: [
    due,
    [
      ['2026-02-01', date('2026-02-01')],
      ['February 1, 2026', date('2026-02-01')],
      ['Feb 1, 2026', date('2026-02-01')],
      ['Feb. 1 2026', date('2026-02-01')],
      ['February 1st, 2026', date('2026-02-01')],
      ['Sunday, February 1, 2026', date('2026-02-01')],
      ['1 Feb 2026', date('2026-02-01')],
      ['1st of February 2026', date('2026-02-01')],
      ['2026/02/01', date('2026-02-01')],
      ['2026.2.1', date('2026-02-01')],
      ['01.02.2026', date('2026-02-01')],
      ['13/02/2026', date('2026-02-13')],
      ['02/13/2026', date('2026-02-13')],
      ['05/05/2026', date('2026-05-05')],
      ['Sept 30, 2026', date('2026-09-30')],
      ['2026-02-01T09:30:00+02:00', date('2026-02-01T09:30:00+02:00')],
      ['2026-02-01T09:30:00.000Z', date('2026-02-01T09:30:00.000Z')],
      ['2026-02-01 09:30Z', date('2026-02-01T09:30Z')],
      ['2026-02-01T09:30:00+0200', date('2026-02-01T09:30:00+02:00')],
      ['2026-02-01 → 2026-02-05', date('2026-02-01', '2026-02-05')],
      ['2026-02-01 to 2026-02-05', date('2026-02-01', '2026-02-05')],
      ['February 1, 2026 – February 5, 2026', date('2026-02-01', '2026-02-05')],
      ['2026-02-01/2026-02-05', date('2026-02-01', '2026-02-05')],
      [{ start: '2026-02-01', end: '2026-02-05' }, date('2026-02-01', '2026-02-05')],
      [{ start: '2026-02-01', end: null }, date('2026-02-01')],
      [{ start: '2026-02-01T09:00:00', time_zone: 'Europe/Paris' }, date('2026-02-01T09:00:00', null, 'Europe/Paris')],
      // An offset already fixes the instant: a time zone beside it would contradict it, so it is left out.
      [{ start: '2026-02-01T09:00:00+01:00', time_zone: 'Europe/Paris' }, date('2026-02-01T09:00:00+01:00')],
    ],
  ],
  emails: [
    email,
    [
      ['bob@example.com', { email: 'bob@example.com' }],
      ['mailto:bob@example.com', { email: 'bob@example.com' }],
      ['MAILTO:bob@example.com?subject=Hi', { email: 'bob@example.com' }],
      ['Bob Smith <bob@example.com>', { email: 'bob@example.com' }],
    ],
  ],
  phones: [
    phone,
    [
      ['+1 555 0100', { phone_number: '+1 555 0100' }],
      ['tel:+15550100', { phone_number: '+15550100' }],
      ['TEL:  +1 555 0100', { phone_number: '+1 555 0100' }],
    ],
  ],
  urls: [
    url,
    [
      ['https://example.com', { url: 'https://example.com' }],
      ['mailto:bob@example.com', { url: 'mailto:bob@example.com' }],
    ],
  ],
};

type Refused = [answer: unknown, reason: string];

const REFUSED: Record<string, [OutputSpec, Refused[]]> = {
  numbers: [
    number,
    [
      ['about 3', 'The model answered “about 3” for “Price”, which is not a number.'],
      ['3 kg', 'The model answered “3 kg” for “Price”, which is not a number.'],
      ['1.2.3', 'The model answered “1.2.3” for “Price”, which is not a number.'],
      ['12,34', 'The model answered “12,34” for “Price”, which is not a number.'],
      ['3-5', 'The model answered “3-5” for “Price”, which is not a number.'],
      ['0,125', 'The model answered “0,125” for “Price”, which is not a number.'],
      ['3 MLN', 'The model answered “3 MLN” for “Price”, which is not a number.'],
      ['5 LBS', 'The model answered “5 LBS” for “Price”, which is not a number.'],
    ],
  ],
  checkboxes: [
    done,
    [
      ['maybe', 'The model answered “maybe” for “Done”, which is not yes or no.'],
      [2, 'The model answered 2 for “Done”, which is not yes or no.'],
    ],
  ],
  dates: [
    due,
    [
      [
        '03/02/2026',
        'The model answered “03/02/2026” for “Due”, which could be March 2, 2026 (month first) or 3 February 2026 (day first): ask for dates as YYYY-MM-DD.',
      ],
      ['2026-02-30', 'The model answered “2026-02-30” for “Due”, which is not a date like 2026-01-31.'],
      ['next Tuesday', 'The model answered “next Tuesday” for “Due”, which is not a date like 2026-01-31.'],
      ['Febuary 1, 2026', 'The model answered “Febuary 1, 2026” for “Due”, which is not a date like 2026-01-31.'],
      ['02/01/26', 'The model answered “02/01/26” for “Due”, which is not a date like 2026-01-31.'],
      [
        '2026-02-01T09:00:00',
        'The model answered “2026-02-01T09:00:00” for “Due”, a time without a time zone (write it like 2026-02-01T09:00:00+01:00).',
      ],
      [
        '2026-02-05 → 2026-02-01',
        'The model answered “2026-02-05 → 2026-02-01” for “Due”, a range that ends before it starts.',
      ],
      [
        { start: '2026-02-01T09:00:00', time_zone: 'Mars/Olympus' },
        'The model answered {"start":"2026-02-01T09:00:00","time_zone":"Mars/Olympus"} for “Due”, whose time zone is not one Notion knows (like Europe/Paris).',
      ],
      [20260201, 'The model answered 20260201 for “Due”, which is not a date like 2026-01-31.'],
      ['Jan 1st, 0099', 'The model answered “Jan 1st, 0099” for “Due”, which is not a date like 2026-01-31.'],
      [
        { start: '2026-02-01T09:00:00', time_zone: 'EST' },
        'The model answered {"start":"2026-02-01T09:00:00","time_zone":"EST"} for “Due”, whose time zone is not one Notion knows (like Europe/Paris).',
      ],
    ],
  ],
  emails: [
    email,
    [
      ['mailto:', 'The model answered “mailto:” for “Email”, which is not an email address.'],
      [
        'bob at example dot com',
        'The model answered “bob at example dot com” for “Email”, which is not an email address.',
      ],
      ['https://example.com', 'The model answered “https://example.com” for “Email”, which is not an email address.'],
      ['bob@x.io#frag', 'The model answered “bob@x.io#frag” for “Email”, which is not an email address.'],
    ],
  ],
  urls: [
    url,
    [
      [
        'tel:+15550100',
        'The model answered “tel:+15550100” for “Site”, which is not a full web address (like https://example.com).',
      ],
      [
        'example.com',
        'The model answered “example.com” for “Site”, which is not a full web address (like https://example.com).',
      ],
    ],
  ],
};

describe('typed values a model writes', () => {
  for (const [group, [spec, cases]] of Object.entries(ACCEPTED)) {
    it.each(cases)(`${group}: %j is written`, (answer, request) => {
      const result = coerceAnswer(spec, answer);
      expect(result.ok ? result.request : result.reason).toEqual(request);
    });
  }

  for (const [group, [spec, cases]] of Object.entries(REFUSED)) {
    it.each(cases)(`${group}: %j is refused with a reason`, (answer, reason) => {
      const result = coerceAnswer(spec, answer);
      expect(result.ok ? result.request : result.reason).toBe(reason);
    });
  }

  it('orders a range of floating times in its own time zone, not the browser’s', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // 02:30 → 03:10 in Paris; read in New York on the night its clocks jump (02:00 → 03:00), 02:30 does not exist.
      const result = coerceAnswer(due, {
        start: '2026-03-08T02:30:00',
        end: '2026-03-08T03:10:00',
        time_zone: 'Europe/Paris',
      });
      expect(result.ok ? result.request : result.reason).toEqual(
        date('2026-03-08T02:30:00', '2026-03-08T03:10:00', 'Europe/Paris'),
      );
    } finally {
      process.env.TZ = zone;
    }
  });

  it('a multi-select over the option limit names the real count', () => {
    const options = Array.from({ length: 98 }, (_, i) => `T${i}`);
    const tags = column('multi_select', { name: 'Tags', options, allowNewOptions: true });
    const result = coerceAnswer(tags, ['New 1', 'New 2', 'New 3', 'new 3']);
    expect(result.ok ? result.request : result.reason).toContain(
      'the column has 98 options and this answer adds 3 (101 in all); Notion allows at most 100',
    );
  });
});
