// `npm run sandbox`: the outside world on 127.0.0.1, for the demo and for poking at by hand.
import { Sandbox } from './server.ts';

const sandbox = await Sandbox.start({
  httpsPort: Number(process.env.SANDBOX_HTTPS_PORT ?? 8443),
  httpPort: Number(process.env.SANDBOX_HTTP_PORT ?? 8080),
  notion: { rateLimitPerSecond: Number(process.env.SANDBOX_NOTION_RPS ?? 3), rateLimitBurst: 10 },
});
const args = sandbox
  .chromiumArgs()
  .map((a) => `'${a}'`)
  .join(' ');
console.log(`Inkling sandbox is up.
  Notion API, notion.so, OpenAI, Gemini: https on 127.0.0.1:${sandbox.httpsPort} at their real host names
  OpenAI-compatible server (as Ollama):  ${sandbox.compatibleBaseUrl}
  Control API:                           http://127.0.0.1:${sandbox.httpPort}/__sandbox/

Start Chromium against it with the built extension (npm run build first):
  chromium --user-data-dir=$(mktemp -d) --load-extension=.output/chrome-mv3 ${args} https://www.notion.so/

Notion secret: ${sandbox.notion.fixtures?.token ?? '(see tests/sandbox/notion/fixtures.ts)'}
OpenAI key:    ${sandbox.models.keys.openai}
Gemini key:    ${sandbox.models.keys.gemini}
Ctrl+C stops it.`);

process.on('SIGINT', () => void sandbox.close().then(() => process.exit(0)));
