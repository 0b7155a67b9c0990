import type AjvDraft04 from 'ajv-draft-04';
import type AjvFormats from 'ajv-formats';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import JSZip from 'jszip';
import { readPngHeader } from '../helpers/png.js';
import { MANIFEST_VERSION, TeamsPackageError, writeTeamsPackage } from '../../manifest/teamsApp.js';
import { makeTempDir } from '../helpers/tempDir.js';

const require = createRequire(import.meta.url);
// Both are CommonJS packages whose default export is the module itself.
const Ajv = require('ajv-draft-04') as typeof AjvDraft04.default;
const addFormats = require('ajv-formats') as typeof AjvFormats.default;
const schemaDir = `@microsoft/app-manifest/build/json-schemas/teams/v${MANIFEST_VERSION}`;
const ENV = {
  MicrosoftAppId: '5A3B8C2D-1E4F-4A6B-9C8D-7E6F5A4B3C2D',
  PUBLIC_BASE_URL: 'https://bot.streamflix.example:8443',
  SERVICE_NAME: 'StreamFlix',
};

function validator(schemaFile: string) {
  // Microsoft's schemas use patterns written for non-Unicode regular expressions.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(require(`${schemaDir}/${schemaFile}`));
}

/** RGBA pixels of one of our own PNGs (one IDAT, filter 0 on every row). */
function pixels(png: Buffer): { width: number; data: Buffer } {
  const { width, height } = readPngHeader(png);
  const idat = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) raw.copy(data, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  return { width, data };
}

describe('Teams app package', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let zip: JSZip;

  before(async () => {
    temp = makeTempDir();
    zip = await JSZip.loadAsync(readFileSync(await writeTeamsPackage(ENV, temp.dir)));
  });
  after(() => temp.remove());

  it('holds the manifest, the Dutch strings and both icons, nothing else', () => {
    expect(Object.keys(zip.files).sort()).to.deep.equal(['color.png', 'manifest.json', 'nl.json', 'outline.png']);
  });

  it('has a manifest that validates against Microsoft’s published schema', async () => {
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    const validate = validator('MicrosoftTeams.schema.json');
    expect(validate(manifest), JSON.stringify(validate.errors, null, 2)).to.equal(true);
    expect(manifest.id).to.equal(ENV.MicrosoftAppId.toLowerCase());
    expect(manifest.bots[0].botId).to.equal(manifest.id);
    expect(manifest.bots[0].scopes).to.deep.equal(['personal', 'team', 'groupChat']);
    expect(manifest.validDomains).to.deep.equal(['bot.streamflix.example:8443']);
    expect(manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).to.deep.equal([
      'reset password',
      'change password',
      'phone number',
      'help',
    ]);
  });

  it('has Dutch strings that validate and name every command', async () => {
    const strings = JSON.parse(await zip.file('nl.json')!.async('string'));
    const validate = validator('MicrosoftTeams.Localization.schema.json');
    expect(validate(strings), JSON.stringify(validate.errors, null, 2)).to.equal(true);
    expect(strings['bots[0].commandLists[0].commands[0].title']).to.equal('wachtwoord herstellen');
    expect(strings['name.short']).to.equal('StreamFlix Wachtwoordhulp');
  });

  it('has a 192×192 colour icon and a 32×32 white-on-transparent outline icon', async () => {
    const color = await zip.file('color.png')!.async('nodebuffer');
    const outline = await zip.file('outline.png')!.async('nodebuffer');
    expect(readPngHeader(color)).to.deep.include({ width: 192, height: 192, colorType: 6 });
    expect(readPngHeader(outline)).to.deep.include({ width: 32, height: 32, colorType: 6 });
    const { data } = pixels(outline);
    let transparent = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) transparent++;
      else expect([data[i], data[i + 1], data[i + 2]], `pixel ${i / 4}`).to.deep.equal([255, 255, 255]);
    }
    expect(transparent).to.be.within(100, 32 * 32 - 100);
  });

  it('says what is missing instead of building a broken package', async () => {
    let error: unknown;
    try {
      await writeTeamsPackage({ PUBLIC_BASE_URL: 'http://bot.example' }, temp.dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TeamsPackageError);
    expect((error as TeamsPackageError).problems.join('\n'))
      .to.contain('MicrosoftAppId')
      .and.contain('PUBLIC_BASE_URL: must be an https URL');
  });
});
