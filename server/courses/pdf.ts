// A one-page certificate PDF without a PDF library: the text uses the standard Adobe CJK font
// STSong-Light (UniGB-UCS2-H), which PDF readers supply themselves, so nothing is embedded.

export interface PdfLine {
  text: string;
  size: number;
  y: number;
  /** Centered unless x is given. */
  x?: number;
}

const PAGE_W = 842; // A4 landscape, points
const PAGE_H = 595;

function hexUcs2(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0xffff || cp < 0x20) continue; // outside the font's range
    out += cp.toString(16).padStart(4, '0');
  }
  return out;
}

function widthOf(s: string, size: number): number {
  let em = 0;
  for (const ch of s) em += ch.codePointAt(0)! < 0x7f ? 0.5 : 1;
  return em * size;
}

export function textPdf(lines: PdfLine[]): Buffer {
  const ops = ['q 3 w 0.64 0.09 0.06 RG 24 24 794 547 re S 1 w 34 34 774 527 re S Q'];
  for (const l of lines) {
    const x = l.x ?? Math.max(40, (PAGE_W - widthOf(l.text, l.size)) / 2);
    ops.push(`BT /F1 ${l.size} Tf ${x.toFixed(1)} ${l.y} Td <${hexUcs2(l.text)}> Tj ET`);
  }
  const content = ops.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>`,
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) pdf += `${String(o).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
