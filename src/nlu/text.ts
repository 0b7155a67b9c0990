/** Lower case, accents dropped, apostrophes made one: the form in which words are compared. */
export function foldCase(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[’']/g, "'");
}

/** The words of a text (letters, digits, apostrophes), folded. */
export function wordsOf(text: string): string[] {
  return foldCase(text).match(/[\p{L}\p{N}']+/gu) ?? [];
}

/**
 * `answer`, keeping its last answer: a turn asks the same thing of its message several times
 * (its normal form, its language). For pure functions of the text only.
 */
export function rememberingLast<T>(answer: (text: string) => T): (text: string) => T {
  let last: { text: string; value: T } | undefined;
  return (text) => {
    if (last?.text !== text) last = { text, value: answer(text) };
    return last.value;
  };
}
