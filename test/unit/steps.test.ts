import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ComponentDialog, Prompt, type Dialog, type DialogSet } from 'botbuilder-dialogs';
import { MainDialog } from '../../dialogs/mainDialog.js';
import { LOCALES } from '../../src/config.js';
import { STEPS } from '../../src/steps.js';
import { DialogHarness } from '../helpers/dialogHarness.js';

/** Every dialog below a dialog, component dialogs opened up. */
function dialogsUnder(dialog: Dialog): Dialog[] {
  if (!(dialog instanceof ComponentDialog)) return [dialog];
  const set = (dialog as unknown as { dialogs: DialogSet }).dialogs;
  return [dialog, ...set.getDialogs().flatMap(dialogsUnder)];
}

describe('the steps of the conversation, declared once', () => {
  it('declares every prompt the dialogs have, and no step without a prompt', async () => {
    const harness = await DialogHarness.create((services) => new MainDialog(services));
    try {
      const main = new MainDialog(harness.services.dialogServices);
      const prompts = new Set(
        dialogsUnder(main)
          .filter((dialog) => dialog instanceof Prompt)
          .map((d) => d.id),
      );
      expect([...prompts].sort()).to.deep.equal(Object.keys(STEPS).sort());
    } finally {
      await harness.close();
    }
  });

  it('has help for every step in every language', () => {
    for (const locale of LOCALES) {
      const help = (
        JSON.parse(readFileSync(new URL(`../../src/locales/${locale}.json`, import.meta.url), 'utf8')) as {
          help: Record<string, string>;
        }
      ).help;
      for (const step of Object.keys(STEPS))
        expect(help[step], `help.${step} in ${locale}`).to.be.a('string').and.not.equal('');
    }
  });

  it('counts every secret step as secret everywhere: the ones taken as they are, and the ones with their own limit', () => {
    for (const [step, traits] of Object.entries(STEPS) as Array<[string, Record<string, boolean>]>) {
      if (traits.verbatim) expect(traits.secret, `${step} is taken as it is, so it must be secret`).to.equal(true);
      if (traits.identifier) expect(traits.secret, `${step} is shown masked, so it is no secret`).to.equal(undefined);
    }
  });
});
