// The house rules for files that lint cannot see: small units (a source file over 300 lines says why
// in its opening comment), and a one-line README in every folder of src/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');
/** Past this many lines a file is more than one screen's worth of one job. */
const FILE_MAX_LINES = 300;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The comment lines a file opens with. */
function openingComment(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((line) => !line.startsWith('//'));
  return lines.slice(0, end === -1 ? lines.length : end).join('\n');
}

describe('small units', () => {
  it(`a source file over ${FILE_MAX_LINES} lines says why in its opening comment`, () => {
    const unexplained = sourceFiles(src).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').length;
      return lines > FILE_MAX_LINES && !/300 lines|\bLong/.test(openingComment(text))
        ? [`${relative(src, file)} (${lines} lines)`]
        : [];
    });
    expect(unexplained).toEqual([]);
  });

  it('every folder of src/ has a README saying what belongs there', () => {
    const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    const without = folders.filter((folder) => {
      try {
        return readFileSync(join(src, folder, 'README.md'), 'utf8').trim() === '';
      } catch {
        return true;
      }
    });
    expect(without).toEqual([]);
  });
});
