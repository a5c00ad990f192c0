/** Only same-site absolute paths; anything else (//evil, https://, \\) falls back. */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a control character (a header split) is refused
  if (/[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}
