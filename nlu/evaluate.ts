import { LOCALES, type Locale } from '../src/config.js';
import { IntentClassifier } from '../src/nlu/classifier.js';
import { readCorpus } from '../src/nlu/corpus.js';
import { INTENTS } from '../src/nlu/intents.js';

/** Held-out messages per intent and language that the evaluation needs. */
export const MIN_EVAL_EXAMPLES = 25;

export interface LanguageReport {
  locale: Locale;
  accuracy: number;
  total: number;
  /** How often the message's language was guessed right, and how often not guessed at all. */
  languageGuessed: { right: number; wrong: number; none: number };
  /** expected intent → understood intent ('none' when nothing was understood) → count, mistakes only. */
  confusion: Record<string, Record<string, number>>;
  mistakes: Array<{ expected: string; understood: string; message: string }>;
}

/** Classifies every held-out message in its own language and counts what came out. */
export async function evaluate(classifier: IntentClassifier): Promise<LanguageReport[]> {
  const reports: LanguageReport[] = [];
  for (const locale of LOCALES) {
    const held = await readCorpus('eval', locale, MIN_EVAL_EXAMPLES);
    const report: LanguageReport = {
      locale,
      accuracy: 0,
      total: 0,
      languageGuessed: { right: 0, wrong: 0, none: 0 },
      confusion: {},
      mistakes: [],
    };
    let right = 0;
    for (const intent of INTENTS) {
      for (const message of held[intent]) {
        const understanding = await classifier.understand(message, locale);
        const understood = understanding.intents[0]?.intent ?? 'none';
        report.total++;
        if (understanding.language === undefined) report.languageGuessed.none++;
        else if (understanding.language === locale) report.languageGuessed.right++;
        else report.languageGuessed.wrong++;
        if (understood === intent) {
          right++;
          continue;
        }
        const row = (report.confusion[intent] ??= {});
        row[understood] = (row[understood] ?? 0) + 1;
        report.mistakes.push({ expected: intent, understood, message });
      }
    }
    report.accuracy = right / report.total;
    reports.push(report);
  }
  return reports;
}

function print(reports: LanguageReport[]): void {
  for (const report of reports) {
    const { right, wrong, none } = report.languageGuessed;
    process.stdout.write(
      `\n${report.locale}: ${(report.accuracy * 100).toFixed(1)} % of ${report.total} held-out messages understood` +
        ` (language guessed right ${right}, wrong ${wrong}, not guessed ${none})\n`,
    );
    const rows = Object.entries(report.confusion);
    if (rows.length === 0) continue;
    process.stdout.write('  confusion (expected → understood: count)\n');
    for (const [expected, row] of rows)
      for (const [understood, count] of Object.entries(row))
        process.stdout.write(`    ${expected.padEnd(20)} → ${understood.padEnd(20)} ${count}\n`);
    process.stdout.write('  mistakes\n');
    for (const mistake of report.mistakes)
      process.stdout.write(`    ${mistake.expected} → ${mistake.understood}: ${mistake.message}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reports = await evaluate(await IntentClassifier.fromRepository());
  print(reports);
  const failed = reports.filter((report) => report.accuracy < 0.95);
  process.exitCode = failed.length > 0 ? 1 : 0;
}
