/**
 * What an uploaded file may be and how it is served. Content from users is hostile: the name is
 * reduced to a plain display name, the served type comes from the bytes (never from the
 * client's word alone), and only raster images are ever shown inline.
 */

export const FILENAME_MAX = 200;

/** Raster images recognised by their first bytes; the only types served inline (no SVG: it runs script). */
const IMAGE_SIGNATURES: { type: string; test: (b: Buffer) => boolean }[] = [
  {
    type: 'image/png',
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  {
    type: 'image/webp',
    test: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

/** Declared types kept (for the download's type) when the bytes are not an image; anything else is octet-stream. */
const KEPT_TYPES = new Set([
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/json',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);

/** Names that run code when opened on a desktop; refused whatever their bytes. */
const BLOCKED_EXTENSIONS = new Set([
  'exe',
  'com',
  'bat',
  'cmd',
  'scr',
  'pif',
  'msi',
  'msp',
  'dll',
  'cpl',
  'jar',
  'js',
  'jse',
  'vbs',
  'vbe',
  'wsf',
  'wsh',
  'ps1',
  'psm1',
  'hta',
  'lnk',
  'reg',
  'app',
  'dmg',
  'pkg',
  'deb',
  'rpm',
  'sh',
  'iso',
]);

/** The EICAR anti-virus test signature (scanners must flag it; so do we). */
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** A display name: no directories, no control or reserved characters, no leading dots, bounded. */
export function safeFilename(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    // Control characters, bidi overrides (which disguise `gpj.exe` as `exe.jpg`) and reserved characters.
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"|?*]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '');
  if (!cleaned) return 'attachment';
  if (cleaned.length <= FILENAME_MAX) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, FILENAME_MAX - ext.length) + ext;
}

export const extensionOf = (name: string): string => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

/** Why a file is refused, or null when it may be stored. */
export function refusalOf(bytes: Buffer, filename: string): string | null {
  if (bytes.length === 0) return 'the file is empty';
  const ext = extensionOf(filename);
  if (BLOCKED_EXTENSIONS.has(ext)) return `.${ext} files can run code when opened and are not accepted`;
  const head = bytes.subarray(0, 4);
  if (head[0] === 0x4d && head[1] === 0x5a) return 'the file is a Windows program and is not accepted';
  if (head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])))
    return 'the file is a Linux program and is not accepted';
  const magic = head.length === 4 ? head.readUInt32BE(0) : 0;
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic))
    return 'the file is a macOS program and is not accepted';
  if (bytes.includes(EICAR, 0, 'latin1')) return 'the file matches a malware signature (EICAR test file)';
  return null;
}

/** The type the file is stored and served with: a recognised image, a kept declared type, or octet-stream. */
export function contentTypeOf(bytes: Buffer, declared: string | undefined): string {
  const image = IMAGE_SIGNATURES.find((s) => s.test(bytes));
  if (image) return image.type;
  const type = (declared ?? '').split(';')[0].trim().toLowerCase();
  return KEPT_TYPES.has(type) ? type : 'application/octet-stream';
}

/** Only recognised raster images are shown in the browser; everything else downloads. */
export const isInline = (contentType: string): boolean =>
  IMAGE_SIGNATURES.some((s) => s.type === contentType);
