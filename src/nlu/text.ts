/** Lower case, accents dropped, apostrophes made one: the form in which words are compared. */
export function foldCase(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[’']/g, "'");
}

/** The words of a text (letters, digits, apostrophes), folded. */
export function wordsOf(text: string): string[] {
  return foldCase(text).match(/[\p{L}\p{N}']+/gu) ?? [];
}
