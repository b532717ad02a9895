// What Inkling remembers of rows from one run to the next, per connection: each row's mark (what its
// answer was made from, and what was written), and the rows a person corrected, as examples.

/**
 * A row as Inkling wrote it, for a later refresh (jobs/row-marks.ts): fingerprints of the values of
 * its input columns then, of its page then (when the prompts name {{page}}), and of what it wrote.
 */
export interface RowMark {
  columns: string;
  page?: string;
  answer: string;
  /** Which columns were written (a run writing others cannot tell its answer from a person's). */
  outputs?: string;
  /** The row could not be answered with these inputs (its answer, if any, is an earlier one). */
  failed?: true;
}

/** What a row's answer was made from, as fingerprints. */
export type RowInputs = Pick<RowMark, 'columns' | 'page'>;

/** A connection's marks, by row key (jobs/row-marks.ts markKey). */
export type RowMarks = Record<string, RowMark>;

/** A row a person corrected (Learn from corrections): its inputs, and its answer as the person left it, by column name. */
export interface CorrectionExample {
  title: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}
