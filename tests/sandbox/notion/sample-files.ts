// Small valid files for tests that attach files to rows and send them to a model: images the providers
// accept (checked by their magic numbers and headers, as the emulators check them), a PDF with real pages,
// and a PNG padded to any size for the size limits. Built here rather than checked in as binaries.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC of type and data. */
function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A truecolour PNG of one colour; `padding` adds a private ancillary chunk (decoders skip it) of that many bytes. */
export function samplePng(
  opts: { width?: number; height?: number; rgb?: [number, number, number]; padding?: number } = {},
): Uint8Array {
  const { width = 2, height = 2, rgb = [51, 102, 204], padding = 0 } = opts;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', pixels),
    ...(padding > 0 ? [pngChunk('paDd', Buffer.alloc(padding))] : []),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 2×2 blue PNG (75 bytes). */
export const SAMPLE_PNG = samplePng();

/** A valid 2×2 PNG exactly `bytes` long (at least SAMPLE_PNG's length + 12), for the providers' size limits. */
export function bigPng(bytes: number): Uint8Array {
  const padding = bytes - SAMPLE_PNG.length - 12;
  if (padding < 0) throw new Error(`A padded PNG is at least ${SAMPLE_PNG.length + 12} bytes`);
  return samplePng({ padding });
}

/**
 * An 8×8 mid-grey baseline JPEG: quantisation all ones, and one-code Huffman tables, which is all a flat
 * block needs (its only coefficient is a DC of 0, then end-of-block).
 */
export const SAMPLE_JPEG: Uint8Array = Buffer.concat([
  Buffer.from([0xff, 0xd8]),
  Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]),
  Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]),
  Buffer.alloc(64, 1),
  Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00]),
  // DC table 0 and AC table 0: one code of length 1 each, for symbol 0 (DC category 0; AC end-of-block).
  Buffer.from([0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, ...Array<number>(15).fill(0), 0x00]),
  Buffer.from([0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, ...Array<number>(15).fill(0), 0x00]),
  Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]),
  // The two codes ("0", "0"), padded with ones.
  Buffer.from([0x3f]),
  Buffer.from([0xff, 0xd9]),
]);

/** A 1×1 transparent GIF (a single frame: OpenAI takes it, Gemini does not take GIFs). */
export const SAMPLE_GIF: Uint8Array = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A 1×1 lossless WebP. */
export const SAMPLE_WEBP: Uint8Array = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

/** A PDF of `pages` A6 pages, each showing `text` and its page number, with a correct cross-reference table. */
export function samplePdf(text = 'Inkling sample', pages = 1): Uint8Array {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const pageIds = Array.from({ length: pages }, (_, i) => 4 + i * 2);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...pageIds.flatMap((id, i) => {
      const stream = `BT /F1 14 Tf 24 300 Td (${escaped} - page ${i + 1}) Tj ET`;
      return [
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Contents ${id + 1} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
        `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
      ];
    }),
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xrefAt = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A one-page PDF. */
export const SAMPLE_PDF = samplePdf();
