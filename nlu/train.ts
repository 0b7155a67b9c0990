import { writeFile } from 'node:fs/promises';
import { IntentClassifier } from '../src/nlu/classifier.js';
import { corpusHash, MODEL_FILE, readCorpora, type SavedModel } from '../src/nlu/corpus.js';

/** Trains the classifier on the corpus and saves the model, so that the bot loads it instead of training. */
const corpora = await readCorpora();
const started = performance.now();
const classifier = await IntentClassifier.train(corpora);
const saved: SavedModel = { corpusHash: corpusHash(corpora), model: classifier.exportModel() };
await writeFile(MODEL_FILE, JSON.stringify(saved) + '\n');
process.stdout.write(`Trained in ${Math.round(performance.now() - started)} ms; saved ${MODEL_FILE}\n`);
