// NLP.js ships no type declarations; these cover the part the classifier uses.
declare module '@nlpjs/core' {
  export interface Container {
    use(plugin: unknown): void;
  }
  export function containerBootstrap(): Promise<Container>;
}

declare module '@nlpjs/nlp' {
  import type { Container } from '@nlpjs/core';
  export interface NlpResult {
    intent: string;
    score: number;
    classifications?: Array<{ intent: string; score: number }>;
  }
  export class Nlp {
    constructor(settings: {
      container: Container;
      autoSave?: boolean;
      autoLoad?: boolean;
      log?: boolean;
      /** Scores each message's sentiment (default true). */
      calculateSentiment?: boolean;
      nlu?: { log?: boolean };
    });
    addLanguage(locale: string): void;
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    process(locale: string, utterance: string): Promise<NlpResult>;
    export(minified: boolean): string;
    import(model: string): void;
  }
}

declare module '@nlpjs/lang-en-min' {
  export const LangEn: unknown;
}

declare module '@nlpjs/lang-nl' {
  export const LangNl: unknown;
}
