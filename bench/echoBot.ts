// The benchmark's baseline: a plain echo bot on the same botbuilder and restify as the bot, in a
// process of its own, with none of the bot's code, adapter settings or middleware.
import { ActivityHandler } from 'botbuilder';
import { serveBaseline } from './baselineServer.js';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`Echo: ${context.activity.text}`);
      await next();
    });
  }
}

const bot = new EchoBot();
serveBaseline((context) => bot.run(context));
