import fc from 'fast-check';
import { contentTypeOf, isInline, refusalOf, safeFilename } from './attachment-safety';

describe('attachment safety', () => {
  it('never throws on any bytes or name, and never lets a path or control character through', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        (bytes, name) => {
          const buf = Buffer.from(bytes);
          refusalOf(buf, name);
          contentTypeOf(buf, name);
          const safe = safeFilename(name);
          expect(safe.length).toBeGreaterThan(0);
          expect(safe.length).toBeLessThanOrEqual(200);
          // eslint-disable-next-line no-control-regex -- control characters must not survive
          expect(safe).not.toMatch(/[/\\\u0000-\u001f"<>:|?*\u202e]/);
          expect(safe.startsWith('.')).toBe(false);
        },
      ),
    );
  });

  it('serves inline only what the bytes prove to be a raster image', () => {
    const png = Buffer.from('89504e470d0a1a0a0000', 'hex');
    expect(contentTypeOf(png, 'text/html')).toBe('image/png');
    expect(isInline(contentTypeOf(png, undefined))).toBe(true);
    expect(contentTypeOf(Buffer.from('<svg onload=alert(1)>'), 'image/svg+xml')).toBe(
      'application/octet-stream',
    );
    expect(contentTypeOf(Buffer.from('<html>'), 'text/html')).toBe('application/octet-stream');
    expect(contentTypeOf(Buffer.from('%PDF'), 'application/pdf; charset=x')).toBe('application/pdf');
    expect(isInline('application/pdf')).toBe(false);
  });

  it('keeps ordinary names and drops what disguises or escapes', () => {
    expect(safeFilename('Quarterly report (final).pdf')).toBe('Quarterly report (final).pdf');
    expect(safeFilename('C:\\Users\\x\\..\\evil.txt')).toBe('evil.txt');
    expect(safeFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(safeFilename('...hidden')).toBe('hidden');
    expect(safeFilename('   ')).toBe('attachment');
    expect(safeFilename(`${'a'.repeat(300)}.png`)).toMatch(/^a{196}\.png$/);
  });

  it('refuses programs by name or by their first bytes, and the EICAR signature', () => {
    expect(refusalOf(Buffer.from('x'), 'a.exe')).toMatch(/\.exe/);
    expect(refusalOf(Buffer.from('MZ'), 'a.txt')).toMatch(/Windows/);
    expect(refusalOf(Buffer.from('cffaedfe', 'hex'), 'a')).toMatch(/macOS/);
    expect(refusalOf(Buffer.from('hi'), 'a.txt')).toBeNull();
    expect(refusalOf(Buffer.alloc(0), 'a.txt')).toMatch(/empty/);
  });
});
