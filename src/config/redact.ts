/** Masks the password part of any URL in a text (postgres://user:secret@host -> postgres://user:***@host). */
export function redactSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}
